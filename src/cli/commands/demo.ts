/** `baobab demo` (what `npm start` runs): the community mesh on loopback. */
import { runDemo, stopDemo } from '../demo/run-demo.ts'
import { action } from '../context.ts'
import type { Command } from 'commander'

export function register (program: Command): void {
  program.command('demo')
    .description('run the community demo: five co-operative nodes and a visitor on loopback, offline')
    .option('--once', 'run the story once and exit (exit code 0 only if every step succeeded)')
    .option('--model <gguf>', 'answer with the llama runtime on this base GGUF ("tiny" = the bundled tiny model)')
    .option('--dir <dir>', 'where the demo nodes keep their homes', '.demo')
    .addHelpText('after', '\nExamples:\n  npm start\n  npm start -- --once\n  npm start -- --model tiny')
    .action(action(async (opts: { once?: boolean, model?: string, dir: string }) => {
      const controller = new AbortController()
      const onSigint = (): void => { controller.abort(new Error('interrupted')) }
      process.once('SIGINT', onSigint)
      const result = await runDemo({ dir: opts.dir, ...(opts.model != null ? { model: opts.model } : {}), signal: controller.signal })
      try {
        if (opts.once === true || controller.signal.aborted) {
          process.exitCode = result.ok ? 0 : 1
          return
        }
        console.log('\nThe mesh keeps running; press Ctrl-C to stop.')
        await new Promise<void>(resolve => {
          if (controller.signal.aborted) resolve()
          controller.signal.addEventListener('abort', () => { resolve() }, { once: true })
        })
        console.log('\nstopping…')
      } finally {
        process.off('SIGINT', onSigint)
        await stopDemo(result)
      }
    }))
}
