/** `baobab export --to file.car` and `baobab import file.car`: sneakernet, verified block by block. */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { KINDS } from '../../artifacts/index.ts'
import { UsageError } from '../errors.ts'
import { action, emit, progressBar, withContext } from '../context.ts'
import { exportCar, importCar } from '../../mesh/index.ts'
import { trustFromConfig } from '../../node/index.ts'
import type { Kind } from '../../artifacts/index.ts'
import type { Command } from 'commander'

export function register (program: Command): void {
  program.command('export')
    .description('write trusted, shareable artifacts (and adapter weights) to a CAR file')
    .requiredOption('--to <file.car>', 'output file (written atomically)')
    .option('--kind <kind>', `only this kind (${KINDS.join(', ')})`)
    .option('--domain <domain>', 'only this domain')
    .option('--cid <cid...>', 'exactly these artifacts')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  baobab export --to maize.car --kind adapter --domain agronomy')
    .action(action(async (opts: { to: string, kind?: string, domain?: string, cid?: string[] }, cmd: Command) => {
      if (opts.kind != null && !(KINDS as readonly string[]).includes(opts.kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`)
      await withContext(cmd, async ctx => {
        const r = await exportCar(ctx.library, resolve(opts.to), { kind: opts.kind as Kind | undefined, domain: opts.domain, cids: opts.cid })
        emit(cmd, r, () => {
          console.log(`wrote ${r.path}: ${r.artifacts} artifact(s), ${r.chunks} weight chunk(s), ${(r.bytes / 1e6).toFixed(1)} MB`)
        })
      })
    }))
  program.command('import <file>')
    .description('verify every block of a CAR file, then store its chunks and admit its artifacts')
    .option('--json', 'print JSON')
    .action(action(async (file: string, _opts: unknown, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const path = resolve(file)
        const size = existsSync(path) ? statSync(path).size : 0
        // two passes: verify everything, then store
        const bar = progressBar(cmd, 'verify+store', Math.max(1, Math.ceil(2 * size / 1e6)), ' MB')
        let bytes = 0
        let r
        // a file is as untrusted as a peer: its artifacts go through this node's trust pipeline
        const trust = trustFromConfig(ctx)
        try {
          r = await importCar(path, ctx.library, trust.admission, {
            onProgress: e => { bytes += e.bytes; bar.update(Math.round(bytes / 1e6)) }
          })
          await trust.admission.settled()
        } finally {
          bar.stop()
        }
        const result = r
        emit(cmd, result, () => {
          console.log(`imported ${result.admitted.filter(a => a.inserted).length} new artifact(s), ${result.chunks} new chunk(s) (${result.chunksPresent} already here)`)
          for (const a of result.admitted) console.log(`  ${a.kind.padEnd(12)} ${a.status.padEnd(11)} ${a.cid}${a.inserted ? '' : '  (already here)'}${a.status !== 'trusted' && a.reason != null ? `: ${a.reason}` : ''}`)
        })
      })
    }))
}
