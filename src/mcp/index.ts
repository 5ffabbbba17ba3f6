/**
 * MCP server: exposes a node's `NodeServices` to MCP clients (editors, agents) over stdio with
 * the tools `ask`, `route`, `search_experiences`, `recommend_config` and `library_list`.
 *
 * @example
 * ```ts
 * const mcp = await serveMcpStdio(services)   // `baobab mcp`
 * process.on('SIGINT', () => { void mcp.close() })
 * ```
 */
import { logger } from '@libp2p/logger'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { DEFAULT_MAX_PROMPT_CHARS } from '../api/index.ts'
import { registerTools } from './tools.ts'
import type { NodeServices } from '../api/index.ts'
import type { Readable, Writable } from 'node:stream'

const log = logger('baobab:mcp:server')

export interface McpInit {
  name?: string
  version?: string
  /** Longest question accepted (characters). Default as the HTTP API. */
  maxPromptChars?: number
  /** Time limit per tool call. Default 120 s. */
  timeoutMs?: number
}

export function createMcpServer (services: NodeServices, init: McpInit = {}): McpServer {
  const server = new McpServer({ name: init.name ?? 'baobab', version: init.version ?? '0.1.0' }, {
    instructions: 'Baobab is a peer-to-peer knowledge mesh. Use `ask` to answer with the right expert, `route` to see why, ' +
      '`search_experiences` for lessons learned, `recommend_config` for fine-tuning settings that worked, `library_list` to browse.'
  })
  registerTools(server, services, { maxPromptChars: init.maxPromptChars ?? DEFAULT_MAX_PROMPT_CHARS, timeoutMs: init.timeoutMs ?? 120_000 })
  return server
}

export interface ServedMcp {
  server: McpServer
  /** Resolves when the client disconnects (stdin closes) or `close()` is called. */
  closed: Promise<void>
  close(): Promise<void>
}

/** Serves MCP on stdio (or the given streams). Nothing else may write to stdout meanwhile. */
export async function serveMcpStdio (services: NodeServices, init: McpInit & { stdin?: Readable, stdout?: Writable } = {}): Promise<ServedMcp> {
  const server = createMcpServer(services, init)
  const transport = new StdioServerTransport(init.stdin, init.stdout)
  let done: () => void = () => {}
  const closed = new Promise<void>((resolve) => { done = resolve })
  transport.onclose = () => { done() }
  const stdin = init.stdin ?? process.stdin
  const onEnd = (): void => { server.close().catch((err: unknown) => { log.error('close failed: %e', err) }) }
  stdin.once('end', onEnd)
  await server.connect(transport)
  log('serving MCP on stdio')
  return {
    server,
    closed,
    close: async () => {
      stdin.off('end', onEnd)
      await server.close()
      done()
    }
  }
}
