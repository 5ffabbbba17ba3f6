/** `baobab sync <multiaddr>`: one-shot — dial, reconcile, fetch what the policy accepts, exit. */
import cliProgress from 'cli-progress'
import { action, emit, wantsJson, withContext } from '../context.ts'
import { startOneShotMesh } from './peers.ts'
import type { FetchProgressEvent, SyncWithResult } from '../../mesh/index.ts'
import type { Command } from 'commander'

interface Bars {
  onSynced(r: { need: number }): void
  onProgress(e: FetchProgressEvent): void
  stop(): void
}

/** Two bars on stderr: artifacts fetched, and weight megabytes verified. */
function progressBars (cmd: Command): Bars {
  if (wantsJson(cmd)) return { onSynced () {}, onProgress () {}, stop () {} }
  const multi = new cliProgress.MultiBar({
    format: '{label} [{bar}] {value}/{total} {unit}',
    noTTYOutput: true,
    notTTYSchedule: 2000,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false
  }, cliProgress.Presets.shades_classic)
  let artifacts: cliProgress.SingleBar | undefined
  let weights: cliProgress.SingleBar | undefined
  let mbTotal = 0
  let mbDone = 0
  const done = new Set<string>()
  return {
    onSynced (r) {
      artifacts = multi.create(Math.max(r.need, 1), 0, { label: 'artifacts', unit: '' })
      if (r.need === 0) artifacts.update(1)
    },
    onProgress (e) {
      if (e.type === 'fetch:chunks') {
        mbTotal += e.total
        mbDone += e.present
        weights ??= multi.create(0, 0, { label: 'weights  ', unit: 'MiB chunks' })
        weights.setTotal(mbTotal)
        weights.update(mbDone)
      } else if (e.type === 'chunk:verified') {
        weights?.update(++mbDone)
      } else if (e.type === 'fetch:artifact' && !done.has(e.cid)) {
        done.add(e.cid)
        artifacts?.increment()
      }
    },
    stop () { multi.stop() }
  }
}

export function register (program: Command): void {
  program.command('sync <multiaddr>')
    .description('connect to one peer, learn what it has that you lack (and the reverse), fetch what your policy accepts, and exit')
    .option('--no-fetch', 'only reconcile and report the difference')
    .option('--timeout <seconds>', 'give up after this long', '600')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  baobab sync /ip4/192.168.1.20/tcp/4001/p2p/12D3KooW...')
    .action(action(async (address: string, opts: { fetch: boolean, timeout: string }, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const mesh = await startOneShotMesh(ctx)
        const bars = progressBars(cmd)
        let result: SyncWithResult
        try {
          const signal = AbortSignal.timeout(Number(opts.timeout) * 1000)
          await mesh.dial(address, { signal })
          mesh.on('sync:done', r => { bars.onSynced({ need: opts.fetch ? r.need.length : 0 }) })
          result = await mesh.syncWith(address, { fetch: opts.fetch, signal, onProgress: e => { bars.onProgress(e) } })
        } finally {
          bars.stop()
          await mesh.stop()
        }
        const admitted = result.fetched.filter(f => f.outcome === 'admitted')
        const unwanted = result.fetched.filter(f => f.outcome === 'unwanted')
        emit(cmd, result, () => {
          console.log(`peer ${result.peer}: it has ${result.need.length} artifact(s) you lack, you have ${result.have.length} it lacks`)
          console.log(`reconciled in ${result.rounds} round(s), ${result.bytesSent + result.bytesReceived} bytes on the wire, ${Math.round(result.ms)} ms`)
          for (const f of admitted) console.log(`  fetched ${String(f.kind).padEnd(12)} ${String(f.status).padEnd(11)} ${f.cid}${f.chunks != null ? `  (${f.chunks.fetched} chunks, ${f.chunks.skipped} already here)` : ''}`)
          if (unwanted.length > 0) console.log(`  skipped ${unwanted.length} your fetch policy does not want`)
          for (const f of result.failed) console.log(`  failed  ${f.cid}: ${f.error}`)
        })
        if (result.failed.length > 0) process.exitCode = 1
      })
    }))
}
