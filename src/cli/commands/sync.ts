/** `baobab sync <multiaddr>`: one-shot — dial, reconcile, fetch what the policy accepts, exit. */
import cliProgress from 'cli-progress'
import { action, emit, wantsJson } from '../context.ts'
import { startOneShotNode } from './peers.ts'
import type { BaobabNode } from '../../node/index.ts'
import type { FetchProgressEvent, FetchResult, SyncWithResult } from '../../mesh/index.ts'
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
      const node = await startOneShotNode(cmd)
      const mesh = node.mesh
      const bars = progressBars(cmd)
      let result: SyncWithResult
      try {
        const signal = AbortSignal.timeout(Number(opts.timeout) * 1000)
        await mesh.dial(address, { signal })
        mesh.on('sync:done', r => { bars.onSynced({ need: opts.fetch ? r.need.length : 0 }) })
        result = await mesh.syncWith(address, { fetch: opts.fetch, signal, onProgress: e => { bars.onProgress(e) } })
      } finally {
        bars.stop()
      }
      try {
        const artifacts = decisions(node, result)
        emit(cmd, { ...result, artifacts }, () => {
          console.log(`peer ${result.peer}: it has ${result.need.length} artifact(s) you lack, you have ${result.have.length} it lacks`)
          console.log(`reconciled in ${result.rounds} round(s), ${result.bytesSent + result.bytesReceived} bytes on the wire, ${Math.round(result.ms)} ms`)
          // each arrival went through the trust pipeline: print its decision and the reason, like `start`
          for (const a of artifacts) {
            if (a.outcome === 'unwanted') continue
            const chunks = a.chunks != null ? `  (${a.chunks.fetched} chunks, ${a.chunks.skipped} already here)` : ''
            console.log(`  ${WORD[a.status ?? ""] ?? a.status} ${String(a.kind).padEnd(12)} ${a.cid}${chunks}\n      ${a.reason ?? ''}`)
          }
          const unwanted = artifacts.filter(a => a.outcome === 'unwanted').length
          if (unwanted > 0) console.log(`  skipped ${unwanted} your fetch policy does not want`)
          for (const f of result.failed) console.log(`  failed  ${f.cid}: ${f.error}`)
        })
      } finally {
        await node.stop()
      }
      if (result.failed.length > 0) process.exitCode = 1
    }))
}

/** How each decision is printed (the status as a verb, padded). */
const WORD: Record<string, string> = { trusted: 'admit  ', quarantined: 'hold   ', rejected: 'reject ', revoked: 'revoked' }

export interface SyncDecision {
  cid: string
  kind: string
  /** `admitted`: it went through the trust pipeline now; `exists`: it was here; `unwanted`: the fetch policy declined it. */
  outcome: FetchResult['outcome']
  status: string | null
  reason: string | null
  /** Set when refused before storage (deny list, rate limit, …): nothing was stored. */
  refused?: string
  chunks?: FetchResult['chunks']
}

/** Every fetched artifact with the status and reason the trust pipeline gave it. */
function decisions (node: BaobabNode, result: SyncWithResult): SyncDecision[] {
  return result.fetched.map(f => {
    const stored = node.library.get(f.cid)
    return {
      cid: f.cid,
      kind: f.kind ?? stored?.kind ?? 'unknown',
      outcome: f.outcome,
      status: stored?.status ?? f.status ?? null,
      reason: stored?.reason ?? f.reason ?? null,
      ...(f.refused != null ? { refused: f.refused } : {}),
      ...(f.chunks != null ? { chunks: f.chunks } : {})
    }
  })
}
