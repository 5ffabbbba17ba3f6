/**
 * `baobab mcp`: serve this node to an MCP client over stdio — the node's one answer path
 * (`createNode` + `servicesFromNode`), its library, experiences and outcomes. The mesh stays off:
 * run `baobab start` beside it to exchange knowledge with peers.
 */
import { loadConfig, resolveHome } from '../config-file.ts'
import { action, globalOptions } from '../context.ts'
import type { Command } from 'commander'

export function register (program: Command): void {
  program.command('mcp')
    .description('serve this node to MCP clients over stdio (tools: ask, route, search_experiences, recommend_config, library_list)')
    .addHelpText('after', `
Stdout carries only the MCP protocol; logs go to stderr (DEBUG=baobab:*).

Example (an MCP client's server entry):
  { "command": "npx", "args": ["baobab", "--home", "/home/me/.baobab", "mcp"] }`)
    .action(action(async (_opts: unknown, cmd: Command) => {
      // Loaded here so other commands start without the MCP SDK and the node's components.
      const [{ servicesFromNode }, { serveMcpStdio }, { createNode }] = await Promise.all([
        import('../../api/index.ts'), import('../../mcp/index.ts'), import('../../node/index.ts')
      ])
      const home = resolveHome(globalOptions(cmd).home)
      const node = await createNode({ home, config: loadConfig(home), mesh: false })
      try {
        await node.start()
        const served = await serveMcpStdio(servicesFromNode(node))
        const stop = (): void => { served.close().catch(() => {}) }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        try {
          await served.closed
        } finally {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
        }
      } finally {
        await node.stop()
      }
    }))
}
