/**
 * The in-memory exemplar index and the scoring rule. Each exemplar is indexed twice: its question
 * alone and its question with the answer. An expert's score for a question is a rank-weighted mean
 * of its best item cosines (kNN).
 *
 * Items are stored per expert as inverted postings (dimension → items), so scoring touches only
 * the question's non-zero dimensions. With many experts, centroids folded to a small dimension
 * pick the candidates first; a decision over 1000 experts stays under a millisecond.
 */
import { DimensionMismatchError } from './errors.ts'
import { pack } from '../embedding/index.ts'
import type { PackedVector } from '../embedding/index.ts'
import type { Exemplar } from './types.ts'

export interface IndexedExemplar extends Exemplar {
  /** Where it came from: the expert definition or user feedback. */
  source: 'expert' | 'feedback'
}

/** Item vectors in compressed sparse column form: for dimension dims[j], postings start[j]..start[j+1]. */
export interface Postings {
  /** The dimensions any item uses, ascending. */
  dims: Uint32Array
  start: Uint32Array
  item: Uint32Array
  value: Float32Array
}

export interface IndexedExpert {
  id: string
  name: string
  domain: string
  description?: string
  exemplars: IndexedExemplar[]
  /** Number of item vectors; `owner[i]` is the exemplar index of item i. */
  itemCount: number
  owner: Uint32Array
  postings: Postings
  /** Sum of item vectors folded to `foldDims`, normalised (the prefilter centroid). */
  centroid: Float32Array
}

export interface ScoringOptions {
  /** Weights of the 1st, 2nd, … best item cosines (normalised over those present). */
  rankWeights: number[]
  /** Above this many experts, only the best `candidates` by centroid are scored by kNN. */
  prefilterAbove: number
  candidates: number
  /** Centroid length for the prefilter, a power of two (longer vectors are folded). */
  foldDims: number
}

export const DEFAULT_SCORING: ScoringOptions = {
  rankWeights: [0.5, 0.3, 0.2],
  prefilterAbove: 64,
  candidates: 32,
  foldDims: 2048
}

export interface ItemHit { exemplar: number, cosine: number }

export interface ExpertResult {
  expert: IndexedExpert
  score: number
  /** Best items (exemplar index and cosine), best first. */
  best: ItemHit[]
}

/** Folds a packed vector onto `foldDims` by summing entries i mod foldDims (signs are already random). */
export function foldPacked (v: PackedVector, foldDims: number): PackedVector {
  if (v.dims <= foldDims) return v
  const out = new Float32Array(foldDims)
  const mask = foldDims - 1
  if (v.idx == null) {
    for (let i = 0; i < v.val.length; i++) out[i & mask] = out[i & mask]! + v.val[i]!
  } else {
    for (let j = 0; j < v.idx.length; j++) { const i = v.idx[j]! & mask; out[i] = out[i]! + v.val[j]! }
  }
  return pack(out)
}

function buildPostings (items: PackedVector[]): Postings {
  const counts = new Map<number, number>()
  const each = (p: PackedVector, fn: (dim: number, value: number) => void): void => {
    if (p.idx == null) {
      for (let d = 0; d < p.val.length; d++) if (p.val[d] !== 0) fn(d, p.val[d]!)
    } else {
      for (let j = 0; j < p.idx.length; j++) fn(p.idx[j]!, p.val[j]!)
    }
  }
  for (const p of items) each(p, d => { counts.set(d, (counts.get(d) ?? 0) + 1) })
  const dims = Uint32Array.from(counts.keys()).sort()
  const position = new Map<number, number>()
  const start = new Uint32Array(dims.length + 1)
  dims.forEach((d, j) => { position.set(d, j); start[j + 1] = start[j]! + counts.get(d)! })
  const fill = start.slice(0, dims.length)
  const item = new Uint32Array(start[dims.length]!)
  const value = new Float32Array(start[dims.length]!)
  items.forEach((p, i) => each(p, (d, v) => {
    const j = position.get(d)!
    const at = fill[j]!++
    item[at] = i
    value[at] = v
  }))
  return { dims, start, item, value }
}

export function buildExpert (
  meta: { id: string, name: string, domain: string, description?: string },
  exemplars: IndexedExemplar[],
  vectors: Array<{ exemplar: number, vector: PackedVector }>,
  dims: number,
  foldDims: number
): IndexedExpert {
  const width = Math.min(dims, foldDims)
  const centroid = new Float32Array(width)
  const items: PackedVector[] = []
  const owner = new Uint32Array(vectors.length)
  vectors.forEach(({ exemplar, vector }, i) => {
    if (vector.dims !== dims) {
      throw new DimensionMismatchError(dims, vector.dims)
    }
    const packed = vector
    const folded = foldPacked(packed, foldDims)
    if (folded.idx == null) {
      for (let d = 0; d < width; d++) centroid[d] = centroid[d]! + folded.val[d]!
    } else {
      for (let j = 0; j < folded.idx.length; j++) centroid[folded.idx[j]!] = centroid[folded.idx[j]!]! + folded.val[j]!
    }
    items.push(packed)
    owner[i] = exemplar
  })
  let n = 0
  for (let d = 0; d < width; d++) n += centroid[d]! * centroid[d]!
  n = Math.sqrt(n)
  if (n > 0) for (let d = 0; d < width; d++) centroid[d] = centroid[d]! / n
  const base = { id: meta.id, name: meta.name, domain: meta.domain, exemplars, itemCount: items.length, owner, postings: buildPostings(items), centroid }
  return meta.description == null ? base : { ...base, description: meta.description }
}

let scratch = new Float32Array(1024)

/**
 * Scores one expert. `excludeExemplar` leaves one exemplar's items out (leave-one-out);
 * `keep` is how many best items to return (at least the number of rank weights).
 */
export function scoreExpert (
  expert: IndexedExpert,
  query: PackedVector,
  opts: ScoringOptions,
  excludeExemplar = -1,
  keep = opts.rankWeights.length
): ExpertResult {
  if (scratch.length < expert.itemCount) scratch = new Float32Array(expert.itemCount * 2)
  const acc = scratch
  acc.fill(0, 0, expert.itemCount)
  const { dims, start, item, value } = expert.postings
  const addDim = (j: number, q: number): void => {
    for (let at = start[j]!, end = start[j + 1]!; at < end; at++) acc[item[at]!] = acc[item[at]!]! + q * value[at]!
  }
  const qi = query.idx
  if (qi == null) {
    for (let j = 0; j < dims.length; j++) { const q = query.val[dims[j]!]!; if (q !== 0) addDim(j, q) }
  } else {
    // both index lists are ascending: one merge pass
    let a = 0
    let b = 0
    while (a < qi.length && b < dims.length) {
      const x = qi[a]!
      const y = dims[b]!
      if (x === y) { addDim(b, query.val[a]!); a++; b++ } else if (x < y) a++; else b++
    }
  }

  const k = Math.max(keep, opts.rankWeights.length)
  const best: ItemHit[] = []
  for (let i = 0; i < expert.itemCount; i++) {
    const exemplar = expert.owner[i]!
    if (exemplar === excludeExemplar) continue
    const cosine = acc[i]!
    if (best.length === k && cosine <= best[k - 1]!.cosine) continue
    let j = best.length < k ? best.length : k - 1
    if (best.length < k) best.push({ exemplar, cosine })
    while (j > 0 && best[j - 1]!.cosine < cosine) { best[j] = best[j - 1]!; j-- }
    best[j] = { exemplar, cosine }
  }
  let s = 0
  let w = 0
  for (let j = 0; j < Math.min(best.length, opts.rankWeights.length); j++) {
    s += opts.rankWeights[j]! * best[j]!.cosine
    w += opts.rankWeights[j]!
  }
  return { expert, score: w > 0 ? s / w : 0, best }
}

/**
 * All experts' folded centroids in one dimension-major block (`value[d * n + e]`), so the
 * prefilter reads memory in order: for each non-zero of the question, one contiguous row.
 */
export interface CentroidMatrix {
  experts: IndexedExpert[]
  width: number
  value: Float32Array
}

export function centroidMatrix (experts: IndexedExpert[]): CentroidMatrix {
  const n = experts.length
  const width = experts[0]?.centroid.length ?? 0
  const value = new Float32Array(width * n)
  experts.forEach((e, j) => {
    const c = e.centroid
    for (let d = 0; d < width; d++) if (c[d] !== 0) value[d * n + j] = c[d]!
  })
  return { experts: [...experts], width, value }
}

/** Picks candidate experts by folded centroid when the index is large. */
export function candidates (
  experts: IndexedExpert[],
  query: PackedVector,
  opts: ScoringOptions,
  mustInclude?: string,
  matrix?: CentroidMatrix
): IndexedExpert[] {
  if (experts.length <= opts.prefilterAbove) return experts
  const m = matrix != null && matrix.experts.length === experts.length ? matrix : centroidMatrix(experts)
  const n = m.experts.length
  const folded = foldPacked(query, opts.foldDims)
  const scores = new Float32Array(n)
  const add = (d: number, q: number): void => {
    const row = d * n
    for (let j = 0; j < n; j++) scores[j] = scores[j]! + q * m.value[row + j]!
  }
  if (folded.idx == null) {
    for (let d = 0; d < folded.val.length; d++) if (folded.val[d] !== 0) add(d, folded.val[d]!)
  } else {
    for (let k = 0; k < folded.idx.length; k++) add(folded.idx[k]!, folded.val[k]!)
  }
  // keep the best `candidates` without sorting everything
  const c = Math.min(opts.candidates, n)
  const top: number[] = []
  for (let j = 0; j < n; j++) {
    const s = scores[j]!
    if (top.length === c && s <= scores[top[c - 1]!]!) continue
    let at = top.length < c ? top.length : c - 1
    if (top.length < c) top.push(j)
    while (at > 0 && scores[top[at - 1]!]! < s) { top[at] = top[at - 1]!; at-- }
    top[at] = j
  }
  const picked = top.map(j => m.experts[j]!)
  if (mustInclude != null && !picked.some(e => e.id === mustInclude)) {
    const own = experts.find(e => e.id === mustInclude)
    if (own != null) picked.push(own)
  }
  return picked
}

/** Scores the candidate experts for a query, best first. */
export function scoreExperts (
  experts: IndexedExpert[],
  query: PackedVector,
  opts: ScoringOptions,
  exclude?: { expertId: string, exemplar: number },
  matrix?: CentroidMatrix
): ExpertResult[] {
  const pool = candidates(experts, query, opts, exclude?.expertId, matrix)
  const results = pool.map(e => scoreExpert(e, query, opts, exclude?.expertId === e.id ? exclude.exemplar : -1))
  results.sort((a, b) => b.score - a.score || (a.expert.id < b.expert.id ? -1 : 1))
  return results
}

/** Best score minus the best score of an expert in another domain (1 when there is none). */
export function marginOf (results: ExpertResult[]): number {
  const top = results[0]
  if (top == null) return 0
  const rival = results.find(r => r.expert.domain !== top.expert.domain)
  return rival == null ? 1 : top.score - rival.score
}
