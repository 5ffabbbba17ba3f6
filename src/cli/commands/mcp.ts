/** `baobab mcp`: serve this node's library, router and runtime to an MCP client over stdio. */
import { action, openContext } from '../context.ts'
import type { Command } from 'commander'

export function register (program: Command): void {
  program.command('mcp')
    .description('serve this node to MCP clients over stdio (tools: ask, route, search_experiences, recommend_config, library_list)')
    .addHelpText('after', `
Stdout carries only the MCP protocol; logs go to stderr (DEBUG=baobab:*).

Example (an MCP client's server entry):
  { "command": "npx", "args": ["baobab", "--home", "/home/me/.baobab", "mcp"] }`)
    .action(action(async (_opts: unknown, cmd: Command) => {
      // Loaded here so other commands start without the MCP SDK, router and runtimes.
      const [{ servicesFromParts }, { experienceSource }, { serveMcpStdio }, { createEmbedder, Router }, { createRuntime }] = await Promise.all([
        import('../../api/index.ts'), import('../../learn/index.ts'), import('../../mcp/index.ts'), import('../../router/index.ts'), import('../../runtime/index.ts')
      ])
      const ctx = await openContext(cmd)
      const peerId = ctx.identity.peerId.toString()
      const embedder = await createEmbedder(ctx.config.embedder)
      const runtime = createRuntime(ctx.config.runtime)
      try {
        const services = servicesFromParts({
          library: ctx.library,
          peerId,
          config: ctx.config,
          embedder,
          router: new Router({ embedder, db: ctx.library.db }),
          runtime,
          experienceSource: experienceSource(ctx.library, embedder, { self: peerId })
        })
        const served = await serveMcpStdio(services)
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
        await runtime.close()
        ctx.close()
      }
    }))
}
