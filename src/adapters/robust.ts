/**
 * Robust aggregation of several peers' versions of the *same* adapter (same base, same targets
 * and shapes), in ΔW space: coordinate-wise median, trimmed mean, or plain mean. The mean is
 * exact on factors (stacked, then truncated); median and trimmed mean need the dense ΔW of every
 * version, one target at a time, and are truncated back to a LoRA rank by randomized SVD.
 * With f of n versions adversarial, the median (f < n/2) and the trimmed mean (trim ≥ f/n) stay
 * near the honest versions; the mean does not.
 */
import { InvalidOptionError, ShapeMismatchError } from './errors.ts'
import { stackFactored, targetFactored, truncateFactored } from './factored.ts'
import { denseDelta, to32 } from './matrix.ts'
import { alignTargets } from './merge.ts'
import { randomizedSvd } from './rsvd.ts'
import type { AdapterOpOptions, LoraAdapter, LoraTarget, Mat } from './types.ts'

export type AggregateMethod = 'median' | 'trimmed-mean' | 'mean'

export interface AggregateOptions extends AdapterOpOptions {
  method: AggregateMethod
  /** trimmed-mean: fraction dropped at each end (default 0.2). */
  trim?: number
  /** Output rank (default: the largest version rank). */
  rank?: number
  targets?: string[]
}

export interface AggregateResult {
  adapter: LoraAdapter
  method: AggregateMethod
  /** Per target: energy share the rank truncation kept. */
  targets: Array<{ name: string, energyKept: number }>
}

/** In-place sort of a small array (insertion sort; n is the number of versions). */
function sortSmall (v: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const x = v[i] as number
    let j = i - 1
    while (j >= 0 && (v[j] as number) > x) { v[j + 1] = v[j] as number; j-- }
    v[j + 1] = x
  }
}

/** Coordinate-wise robust aggregate of equal-shape dense updates. */
export function aggregateDense (deltas: Float32Array[], method: 'median' | 'trimmed-mean' | 'mean', trim = 0.2): Float32Array {
  const n = deltas.length
  if (n === 0) throw new InvalidOptionError('versions', 0, 'need at least one version')
  if (!(trim >= 0 && trim < 0.5)) throw new InvalidOptionError('trim', trim, 'must be in [0, 0.5)')
  const len = (deltas[0] as Float32Array).length
  const out = new Float32Array(len)
  const v = new Float64Array(n)
  const cut = Math.floor(trim * n)
  for (let j = 0; j < len; j++) {
    if (method === 'mean') {
      let s = 0
      for (let i = 0; i < n; i++) s += (deltas[i] as Float32Array)[j] as number
      out[j] = s / n
      continue
    }
    for (let i = 0; i < n; i++) v[i] = (deltas[i] as Float32Array)[j] as number
    sortSmall(v, n)
    if (method === 'median') {
      out[j] = n % 2 === 1 ? (v[n >> 1] as number) : ((v[(n >> 1) - 1] as number) + (v[n >> 1] as number)) / 2
    } else {
      let s = 0
      for (let i = cut; i < n - cut; i++) s += v[i] as number
      out[j] = s / (n - 2 * cut)
    }
  }
  return out
}

/** Aggregate versions of one adapter into a single adapter of rank `options.rank`. */
export function aggregateVersions (versions: LoraAdapter[], options: AggregateOptions): AggregateResult {
  const { method } = options
  if (!['median', 'trimmed-mean', 'mean'].includes(method)) throw new InvalidOptionError('method', method, 'must be median, trimmed-mean or mean')
  const { slots } = alignTargets(versions, options)
  for (const s of slots) {
    const i = s.sources.findIndex((t) => t == null)
    if (i >= 0) throw new ShapeMismatchError(s.name, 'present in every version', `missing from version ${i}`)
  }
  const maxRank = Math.max(...versions.flatMap((v) => v.targets.map((t) => t.rank)))
  const rank = options.rank ?? maxRank
  if (!Number.isInteger(rank) || rank <= 0) throw new InvalidOptionError('rank', rank, 'must be a positive integer')
  const n = versions.length
  const targets: LoraTarget[] = []
  const report: AggregateResult['targets'] = []
  slots.forEach((slot, idx) => {
    options.signal?.throwIfAborted()
    const srcs = slot.sources as LoraTarget[]
    const k = Math.min(rank, slot.out, slot.nIn)
    let res
    if (method === 'mean') {
      res = truncateFactored(stackFactored(srcs.map((t) => targetFactored(t, 1 / n))), k)
    } else {
      const dense: Mat = { rows: slot.out, cols: slot.nIn, data: aggregateDense(srcs.map((t) => denseDelta(t.b, t.a, t.scale).data), method, options.trim) }
      res = randomizedSvd(dense, k, { seed: idx + 1 })
    }
    targets.push({ name: slot.name, a: to32(res.a), b: to32(res.b), rank: k, alpha: k, scale: 1 })
    report.push({ name: slot.name, energyKept: res.energyKept })
    options.onProgress?.({ type: 'adapters:aggregate', done: idx + 1, total: slots.length, target: slot.name })
  })
  const first = versions[0] as LoraAdapter
  const { ggufKv: _kv, ...rest } = first
  return { adapter: { ...rest, format: 'memory', targets, extras: [], warnings: [] }, method, targets: report }
}
