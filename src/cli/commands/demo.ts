/** `baobab demo` (what `npm start` runs): the community mesh on loopback, with the visitor's dashboard. */
import { createApi, parseListen, serveApi, servicesFromNode } from '../../api/index.ts'
import { runDemo, stopDemo } from '../demo/run-demo.ts'
import { action } from '../context.ts'
import { bold, green, red } from '../demo/render.ts'
import type { ServedApi } from '../../api/index.ts'
import type { BaobabNode } from '../../node/index.ts'
import type { Command } from 'commander'

/** Serves the node's API and dashboard on `listen`, or on a free port when that one is taken. */
async function serveDashboard (node: BaobabNode, listen: string): Promise<ServedApi> {
  const { host, port } = parseListen(listen)
  const app = createApi(servicesFromNode(node))
  try {
    return await serveApi(app, { host, port })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    return serveApi(app, { host, port: 0 })
  }
}

/** The dashboard answers: its status endpoint sees the visitor's experts. */
async function checkDashboard (url: string, signal: AbortSignal): Promise<string | null> {
  try {
    const res = await fetch(new URL('api/status', url), { signal })
    if (!res.ok) return `dashboard status returned HTTP ${res.status}`
    return null
  } catch (err) {
    return `dashboard did not answer: ${(err as Error).message}`
  }
}

export function register (program: Command): void {
  program.command('demo')
    .description('run the community demo: five co-operative nodes and a visitor on loopback, offline, with the visitor\'s dashboard')
    .option('--once', 'run the story once and exit (exit code 0 only if every step succeeded)')
    .option('--model <gguf>', 'answer with the llama runtime on this base GGUF ("tiny" = the bundled tiny model)')
    .option('--dir <dir>', 'where the demo nodes keep their homes', '.demo')
    .option('--http <host:port>', 'where the visitor serves its dashboard and OpenAI-compatible API', '127.0.0.1:7777')
    .addHelpText('after', '\nExamples:\n  npm start\n  npm start -- --once\n  npm start -- --model tiny')
    .action(action(async (opts: { once?: boolean, model?: string, dir: string, http: string }) => {
      const controller = new AbortController()
      const onSigint = (): void => { controller.abort(new Error('interrupted')) }
      process.once('SIGINT', onSigint)
      const result = await runDemo({ dir: opts.dir, ...(opts.model != null ? { model: opts.model } : {}), signal: controller.signal })
      let served: ServedApi | undefined
      try {
        if (controller.signal.aborted) {
          process.exitCode = 1
          return
        }
        served = await serveDashboard(result.visitor, opts.http)
        const problem = await checkDashboard(served.url, AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]))
        if (problem != null) result.failures.push(problem)
        if (opts.once === true) {
          if (problem != null) console.log(red(`  - ${problem}`))
          process.exitCode = result.ok && problem == null ? 0 : 1
          return
        }
        console.log(`\n${bold('dashboard')} ${green(served.url)}  (the visitor's node; OpenAI-compatible API at ${served.url}v1)`)
        console.log('The mesh keeps running; press Ctrl-C to stop.')
        await new Promise<void>(resolve => {
          if (controller.signal.aborted) resolve()
          controller.signal.addEventListener('abort', () => { resolve() }, { once: true })
        })
        console.log('\nstopping…')
      } finally {
        process.off('SIGINT', onSigint)
        await served?.close()
        await stopDemo(result)
      }
    }))
}
