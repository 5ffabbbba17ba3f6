/**
 * Merge-or-route report. For every pair of adapters and every shared target: principal-angle
 * overlap of the B column spaces (output directions; B starts at zero in training, so its
 * overlap reflects what was learnt) and A row spaces, the ΔW cosine, and a random-subspace null.
 * For every merge method: per-source retention. Verdict: merge only when every pair's B overlap
 * stands well above the null and their updates point the same way; otherwise route.
 */
import { normFactored, targetFactored } from './factored.ts'
import { alignTargets, mergeAdapters, MERGE_METHODS } from './merge.ts'
import type { MergeMethod, Retention } from './merge.ts'
import { overlapOf } from './overlap.ts'
import type { OverlapFigures } from './overlap.ts'
import type { AdapterOpOptions, LoraAdapter } from './types.ts'

/**
 * Calibrated on the 13 shared adapters: same task at two ranks (time series r6/r12) gives
 * excess B overlap 0.33 and ΔW cos 0.071; different tasks from one author (TinyLlama) 0.12–0.15
 * and 0.025–0.051; unrelated pairs 0.04–0.09 and < 0.002.
 */
export const DEFAULT_THRESHOLDS = { bExcess: 0.25, deltaCos: 0.02 } as const

export interface CompareOptions extends AdapterOpOptions {
  labels?: string[]
  /** Methods whose retention is reported (default all that apply). */
  methods?: MergeMethod[]
  /** TIES/DARE need dense ΔW: measured on this many evenly spaced targets (default 4). */
  denseTargets?: number
  /** Rank of the merged update for retention (default Σ source ranks: exact for linear). */
  rank?: number
  thresholds?: { bExcess: number, deltaCos: number }
  allowBaseMismatch?: boolean
  /** Only these target names (default all shared targets). */
  targets?: string[]
}

export interface PairReport {
  a: number
  b: number
  verdict: 'merge' | 'route'
  deltaCos: number
  bOverlap: number
  bNull: number
  /** Median over targets of (bOverlap − bNull) / (1 − bNull): 0 = random, 1 = same subspace. */
  bExcess: number
  aOverlap: number
  aNull: number
  aExcess: number
  targets: number
}

export interface MethodReport {
  method: MergeMethod
  rank: number
  retention: Retention[]
  crossTermShare?: number
  /** Targets the figures cover (dense methods use a sample). */
  targetsUsed: number
  /** ties/dare: figures are for the dense merged update, before the rank-r' truncation. */
  beforeTruncation?: boolean
}

export interface CompareReport {
  verdict: 'merge' | 'route'
  reasons: string[]
  thresholds: { bExcess: number, deltaCos: number }
  adapters: Array<{ label: string, baseModel?: string, arch?: string, ranks: number[], targets: number, deltaNorm: number }>
  pairs: PairReport[]
  methods: MethodReport[]
  targets: Array<{ name: string, pairs: Array<{ a: number, b: number, deltaCos: number, bOverlap: number, aOverlap: number, bNull: number }> }>
  warnings: string[]
}

function median (xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length === 0 ? 0 : s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

export function compareAdapters (adapters: LoraAdapter[], options: CompareOptions = {}): CompareReport {
  const thresholds = options.thresholds ?? { ...DEFAULT_THRESHOLDS }
  const labels = options.labels ?? adapters.map((_, i) => `#${i}`)
  const { slots, warnings } = alignTargets(adapters, options)
  const targets: CompareReport['targets'] = []
  const perPair = new Map<string, OverlapFigures[]>()
  slots.forEach((slot, idx) => {
    options.signal?.throwIfAborted()
    const f = slot.sources.map((t) => (t == null ? undefined : targetFactored(t)))
    const rows: CompareReport['targets'][number]['pairs'] = []
    for (let i = 0; i < f.length; i++) {
      for (let j = i + 1; j < f.length; j++) {
        const x = f[i]; const y = f[j]
        if (x == null || y == null) continue
        const o = overlapOf(x, y)
        const key = `${i}:${j}`
        perPair.set(key, [...(perPair.get(key) ?? []), o])
        rows.push({ a: i, b: j, deltaCos: o.deltaCos, bOverlap: o.bOverlap, aOverlap: o.aOverlap, bNull: o.bNull })
      }
    }
    targets.push({ name: slot.name, pairs: rows })
    options.onProgress?.({ type: 'adapters:compare', done: idx + 1, total: slots.length, target: slot.name })
  })
  const pairs: PairReport[] = []
  for (const [key, figs] of perPair) {
    const [a, b] = key.split(':').map(Number) as [number, number]
    const dot = figs.reduce((s, o) => s + o.dot, 0)
    const nx = figs.reduce((s, o) => s + o.nx, 0)
    const ny = figs.reduce((s, o) => s + o.ny, 0)
    const avg = (g: (o: OverlapFigures) => number): number => figs.reduce((s, o) => s + g(o), 0) / figs.length
    const deltaCos = nx > 0 && ny > 0 ? dot / Math.sqrt(nx * ny) : 0
    const bExcess = median(figs.map((o) => (o.bOverlap - o.bNull) / (1 - o.bNull)))
    const aExcess = median(figs.map((o) => (o.aOverlap - o.aNull) / (1 - o.aNull)))
    pairs.push({
      a, b,
      verdict: bExcess >= thresholds.bExcess && deltaCos >= thresholds.deltaCos ? 'merge' : 'route',
      deltaCos, bOverlap: avg((o) => o.bOverlap), bNull: avg((o) => o.bNull), bExcess,
      aOverlap: avg((o) => o.aOverlap), aNull: avg((o) => o.aNull), aExcess, targets: figs.length
    })
  }
  const reasons: string[] = []
  for (const p of pairs) {
    const tag = `${labels[p.a]} / ${labels[p.b]}`
    if (p.verdict === 'merge') reasons.push(`${tag}: B-subspace overlap ${p.bExcess.toFixed(2)} above the random null (≥ ${thresholds.bExcess}) and ΔW cos ${p.deltaCos.toFixed(3)} (≥ ${thresholds.deltaCos}): same direction, merging keeps both`)
    else reasons.push(`${tag}: B-subspace overlap ${p.bExcess.toFixed(2)} above null (needs ${thresholds.bExcess}), ΔW cos ${p.deltaCos.toFixed(3)} (needs ${thresholds.deltaCos}): near-orthogonal updates, a merge dilutes each — route`)
  }
  const norms = adapters.map((ad) => Math.sqrt(ad.targets.reduce((s, t) => s + normFactored(targetFactored(t)) ** 2, 0)))
  for (const p of pairs) {
    const na = norms[p.a] as number
    const nb = norms[p.b] as number
    if (p.verdict === 'merge' && Math.max(na, nb) > 2 * Math.min(na, nb)) {
      const weak = na < nb ? p.a : p.b
      reasons.push(`${labels[weak]} has ‖ΔW‖ ${Math.min(na, nb).toFixed(2)} vs ${Math.max(na, nb).toFixed(2)}: an equal-weight merge is dominated by the other; weights ∝ 1/‖ΔW‖ balance them`)
    }
  }
  const verdict = pairs.length > 0 && pairs.every((p) => p.verdict === 'merge') ? 'merge' : 'route'
  const sameRanks = slots.every((s) => new Set(s.sources.map((t) => t?.rank)).size === 1 && s.sources.every((t) => t != null))
  const methods = (options.methods ?? MERGE_METHODS).filter((m) => m !== 'naive' || sameRanks)
  const nDense = Math.min(slots.length, options.denseTargets ?? 4)
  const sample = Array.from({ length: nDense }, (_, i) => slots[Math.floor((i * slots.length) / nDense)]?.name as string)
  const methodReports: MethodReport[] = methods.map((method) => {
    const dense = method === 'ties' || method === 'dare'
    const res = mergeAdapters(adapters, {
      method,
      ...(options.rank != null ? { rank: options.rank } : {}),
      ...(dense ? { targets: sample, measureOnly: true } : options.targets != null ? { targets: options.targets } : {}),
      ...(options.allowBaseMismatch != null ? { allowBaseMismatch: options.allowBaseMismatch } : {}),
      ...(options.signal != null ? { signal: options.signal } : {})
    })
    return {
      method,
      rank: res.rank,
      retention: res.retention,
      ...(res.crossTermShare != null ? { crossTermShare: res.crossTermShare } : {}),
      targetsUsed: res.targets.length,
      ...(dense ? { beforeTruncation: true } : {})
    }
  })
  const adapterRows = adapters.map((ad, i) => {
    return {
      label: labels[i] as string,
      ...(ad.baseModel != null ? { baseModel: ad.baseModel } : {}),
      ...(ad.arch != null ? { arch: ad.arch } : {}),
      ranks: [...new Set(ad.targets.map((t) => t.rank))],
      targets: ad.targets.length,
      deltaNorm: norms[i] as number
    }
  })
  return { verdict, reasons, thresholds, adapters: adapterRows, pairs, methods: methodReports, targets, warnings }
}
