/**
 * Merging adapters in ΔW space. ΔW_i = (α_i/r_i)·B_i·A_i per target; methods:
 * - linear: Σ w_i·ΔW_i, kept factored and truncated exactly (QR + small SVD);
 * - ties / dare: element-wise on dense ΔW, then randomized SVD back to rank r';
 * - naive: what PEFT's add_weighted_adapter("linear") does, A = Σ√w_i·s_i·A_i and B = Σ√w_i·B_i,
 *   whose product carries cross-terms B_i·A_j; reported with their share, for comparison.
 */
import { BaseModelMismatchError, InvalidOptionError, ShapeMismatchError } from './errors.ts'
import { innerFactored, normFactored, stackFactored, targetFactored, truncateFactored } from './factored.ts'
import type { Factored } from './factored.ts'
import { denseDelta, denseTimes, to32, to64, transpose64 } from './matrix.ts'
import { dareMerge, tiesMerge } from './merge-dense.ts'
import { createPrng } from '../random/index.ts'
import { randomizedSvd } from './rsvd.ts'
import type { AdapterOpOptions, LoraAdapter, LoraTarget, Mat } from './types.ts'

export type MergeMethod = 'linear' | 'ties' | 'dare' | 'naive'
export const MERGE_METHODS: readonly MergeMethod[] = ['linear', 'ties', 'dare', 'naive']

export interface MergeOptions extends AdapterOpOptions {
  method: MergeMethod
  /** Per-source weights; default 1/n (ties: 1, its disjoint mean already averages). */
  weights?: number[]
  /** Output rank r'; default Σ source ranks (exact for linear), capped by the matrix size. */
  rank?: number
  /** TIES: fraction of entries each source keeps (default 0.2). */
  density?: number
  /** TIES: scale of the merged update (default 1). */
  lambda?: number
  /** DARE: drop probability (default 0.5). */
  dropRate?: number
  /** DARE / randomized SVD seed (default 1). */
  seed?: number
  /** Merge adapters whose declared base models differ (default false). */
  allowBaseMismatch?: boolean
  /** Only these target names (default all). */
  targets?: string[]
  /**
   * ties/dare: measure retention of the dense merged update and skip the rank-r' truncation
   * (the returned adapter then has no targets). Used by the compare report.
   */
  measureOnly?: boolean
}

export interface Retention {
  /** cos(ΔW_merged, ΔW_i) over all targets. */
  cos: number
  /** ‖ΔW_merged − ΔW_i‖ / ‖ΔW_i‖. */
  relError: number
}

export interface MergeTargetReport {
  name: string
  retention: Retention[]
  /** Share of the merged update's energy kept by the rank-r' truncation (1 = exact). */
  energyKept: number
  /** naive only: ‖naive − linear‖ / ‖naive‖ on this target. */
  crossTermShare?: number
}

export interface MergeResult {
  adapter: LoraAdapter
  method: MergeMethod
  rank: number
  weights: number[]
  retention: Retention[]
  targets: MergeTargetReport[]
  crossTermShare?: number
  warnings: string[]
}

interface Slot { name: string, out: number, nIn: number, sources: Array<LoraTarget | undefined> }

/** Check that adapters can be merged and line up their targets by name. */
export function alignTargets (
  adapters: LoraAdapter[],
  options: { allowBaseMismatch?: boolean, targets?: string[] } = {}
): { slots: Slot[], warnings: string[] } {
  if (adapters.length < 1) throw new InvalidOptionError('adapters', adapters.length, 'need at least one adapter')
  const frames = [...new Set(adapters.map((a) => a.frame))]
  if (frames.length > 1) throw new BaseModelMismatchError(frames, 'adapters are in different tensor frames (convert GGUF and PEFT to one format first)')
  const archs = [...new Set(adapters.map((a) => a.arch).filter((x): x is string => x != null))]
  if (archs.length > 1) throw new BaseModelMismatchError(archs, 'architectures differ')
  const bases = [...new Set(adapters.map((a) => a.baseModel).filter((x): x is string => x != null))]
  if (bases.length > 1 && options.allowBaseMismatch !== true) throw new BaseModelMismatchError(bases, 'declared base models differ')
  const warnings: string[] = []
  const byName = new Map<string, Slot>()
  const order: string[] = []
  adapters.forEach((ad, i) => {
    for (const t of ad.targets) {
      if (options.targets != null && !options.targets.includes(t.name)) continue
      let slot = byName.get(t.name)
      if (slot == null) {
        slot = { name: t.name, out: t.b.rows, nIn: t.a.cols, sources: adapters.map(() => undefined) }
        byName.set(t.name, slot)
        order.push(t.name)
      } else if (slot.out !== t.b.rows || slot.nIn !== t.a.cols) {
        throw new ShapeMismatchError(t.name, `${slot.out}×${slot.nIn}`, `${t.b.rows}×${t.a.cols} in adapter ${i}`)
      }
      slot.sources[i] = t
    }
  })
  const slots = order.map((n) => byName.get(n) as Slot)
  for (const s of slots) {
    const missing = s.sources.map((t, i) => (t == null ? i : -1)).filter((i) => i >= 0)
    if (missing.length > 0) warnings.push(`target ${s.name} is missing from adapter(s) ${missing.join(', ')}: treated as zero there`)
  }
  return { slots, warnings }
}

function defaultWeights (method: MergeMethod, n: number): number[] {
  return Array.from({ length: n }, () => (method === 'ties' ? 1 : 1 / n))
}

function sourcesFactored (slot: Slot): Array<Factored | undefined> {
  return slot.sources.map((t) => (t == null ? undefined : targetFactored(t)))
}

function retentionAgainst (merged: Factored, sources: Array<Factored | undefined>, acc: Array<{ dot: number, mm: number, ss: number }>): Retention[] {
  const mm = innerFactored(merged, merged)
  return sources.map((s, i) => {
    const dot = s == null ? 0 : innerFactored(merged, s)
    const ss = s == null ? 0 : innerFactored(s, s)
    const a = acc[i] as { dot: number, mm: number, ss: number }
    a.dot += dot; a.mm += mm; a.ss += ss
    return finishRetention(dot, mm, ss)
  })
}

/** Retention of a dense merged update M: ⟨M, s·B·A⟩ = s·Σ B ∘ (M·Aᵀ). */
function denseRetention (m: Mat, sources: Array<LoraTarget | undefined>, acc: Array<{ dot: number, mm: number, ss: number }>): Retention[] {
  let mm = 0
  for (let i = 0; i < m.data.length; i++) mm += (m.data[i] as number) ** 2
  return sources.map((t, i) => {
    let dot = 0
    let ss = 0
    if (t != null) {
      const mat = denseTimes(m, transpose64(to64(t.a)))
      for (let j = 0; j < mat.data.length; j++) dot += (mat.data[j] as number) * (t.b.data[j] as number)
      dot *= t.scale
      ss = normFactored(targetFactored(t)) ** 2
    }
    const a = acc[i] as { dot: number, mm: number, ss: number }
    a.dot += dot; a.mm += mm; a.ss += ss
    return finishRetention(dot, mm, ss)
  })
}

function finishRetention (dot: number, mm: number, ss: number): Retention {
  const cos = mm > 0 && ss > 0 ? dot / Math.sqrt(mm * ss) : 0
  const relError = ss > 0 ? Math.sqrt(Math.max(0, mm - 2 * dot + ss) / ss) : (mm > 0 ? Infinity : 0)
  return { cos, relError }
}

function outputTarget (name: string, f: Factored, k: number): LoraTarget {
  const b = to32(f.b)
  const a = to32(f.a)
  return { name, a, b, rank: k, alpha: k, scale: 1 }
}

/** Merge adapters per `options.method`; returns the merged adapter and the retention report. */
export function mergeAdapters (adapters: LoraAdapter[], options: MergeOptions): MergeResult {
  const { method } = options
  if (!MERGE_METHODS.includes(method)) throw new InvalidOptionError('method', method, `must be one of ${MERGE_METHODS.join(', ')}`)
  const n = adapters.length
  const weights = options.weights ?? defaultWeights(method, n)
  if (weights.length !== n || weights.some((w) => !Number.isFinite(w))) throw new InvalidOptionError('weights', weights, `need ${n} finite weights`)
  if (method === 'naive' && weights.some((w) => w < 0)) throw new InvalidOptionError('weights', weights, 'naive merge takes √w: weights must be ≥ 0')
  const { slots, warnings } = alignTargets(adapters, options)
  if (method === 'naive') {
    for (const s of slots) {
      const ranks = new Set(s.sources.map((t) => t?.rank))
      if (ranks.size !== 1 || ranks.has(undefined)) throw new InvalidOptionError('method', 'naive', `factor-wise merge needs every adapter to hold ${s.name} at the same rank`)
    }
  }
  const rankSum = adapters.reduce((s, a) => s + Math.max(0, ...a.targets.map((t) => t.rank)), 0)
  const requested = options.rank ?? rankSum
  if (!Number.isInteger(requested) || requested <= 0) throw new InvalidOptionError('rank', requested, 'must be a positive integer')
  const rng = createPrng(options.seed ?? 1)
  const acc = adapters.map(() => ({ dot: 0, mm: 0, ss: 0 }))
  const cross = { diff: 0, naive: 0 }
  const targets: LoraTarget[] = []
  const reports: MergeTargetReport[] = []
  let outRank = 0
  slots.forEach((slot, idx) => {
    options.signal?.throwIfAborted()
    const k = Math.min(requested, slot.out, slot.nIn)
    const src = sourcesFactored(slot)
    const weighted = slot.sources.flatMap((t, i) => (t == null ? [] : [targetFactored(t, weights[i] as number)]))
    let merged: Factored
    let energyKept = 1
    let crossTermShare: number | undefined
    if (method === 'linear') {
      const tr = truncateFactored(stackFactored(weighted), k)
      merged = tr; energyKept = tr.energyKept
    } else if (method === 'naive') {
      const r = (slot.sources[0] as LoraTarget).rank
      const b = to64({ rows: slot.out, cols: r, data: new Float32Array(slot.out * r) })
      const a = to64({ rows: r, cols: slot.nIn, data: new Float32Array(r * slot.nIn) })
      slot.sources.forEach((t, i) => {
        const sw = Math.sqrt(weights[i] as number)
        const tt = t as LoraTarget
        for (let j = 0; j < b.data.length; j++) b.data[j] = (b.data[j] as number) + sw * (tt.b.data[j] as number)
        for (let j = 0; j < a.data.length; j++) a.data[j] = (a.data[j] as number) + sw * tt.scale * (tt.a.data[j] as number)
      })
      merged = { b, a }
      const lin = stackFactored(weighted)
      const nn = innerFactored(merged, merged)
      const diff = Math.max(0, nn - 2 * innerFactored(merged, lin) + innerFactored(lin, lin))
      cross.diff += diff; cross.naive += nn
      crossTermShare = nn > 0 ? Math.sqrt(diff / nn) : 0
    } else {
      const taus = slot.sources.map((t, i) => {
        if (t == null) return new Float32Array(slot.out * slot.nIn)
        return denseDelta(t.b, t.a, t.scale * (method === 'ties' ? (weights[i] as number) : 1)).data
      })
      const dense = method === 'ties'
        ? tiesMerge(taus, options.density ?? 0.2, options.lambda ?? 1)
        : dareMerge(taus, weights, options.dropRate ?? 0.5, rng)
      const denseMat = { rows: slot.out, cols: slot.nIn, data: dense }
      if (options.measureOnly === true) {
        const retention = denseRetention(denseMat, slot.sources, acc)
        reports.push({ name: slot.name, retention, energyKept: 1 })
        outRank = Math.max(outRank, k)
        options.onProgress?.({ type: 'adapters:merge', done: idx + 1, total: slots.length, target: slot.name })
        return
      }
      const tr = randomizedSvd(denseMat, k, { seed: (options.seed ?? 1) + idx })
      merged = tr; energyKept = tr.energyKept
    }
    const retention = retentionAgainst(merged, src, acc)
    const tk = merged.b.cols
    outRank = Math.max(outRank, tk)
    targets.push(outputTarget(slot.name, merged, tk))
    reports.push({ name: slot.name, retention, energyKept, ...(crossTermShare != null ? { crossTermShare } : {}) })
    options.onProgress?.({ type: 'adapters:merge', done: idx + 1, total: slots.length, target: slot.name })
  })
  const first = adapters[0] as LoraAdapter
  const adapter: LoraAdapter = {
    format: 'memory',
    frame: first.frame,
    arch: first.arch,
    baseModel: first.baseModel,
    fanInFanOut: first.fanInFanOut,
    targets,
    extras: [],
    warnings: [...warnings],
    sourceDtype: 'F32',
    ...(first.peftConfig != null ? { peftConfig: { ...first.peftConfig, target_modules: first.peftConfig.target_modules } } : {})
  }
  for (const [i, a] of adapters.entries()) if (a.extras.length > 0) warnings.push(`adapter ${i}: ${a.extras.length} extra tensor(s) (${a.extras.map((e) => e.name).join(', ')}) not merged`)
  return {
    adapter,
    method,
    rank: outRank,
    weights,
    retention: acc.map((a) => finishRetention(a.dot, a.mm, a.ss)),
    targets: reports,
    ...(method === 'naive' ? { crossTermShare: cross.naive > 0 ? Math.sqrt(cross.diff / cross.naive) : 0 } : {}),
    warnings
  }
}
