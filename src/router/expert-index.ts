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
import { accumulate, buildPostings } from './postings.ts'
import type { Postings } from './postings.ts'

export interface IndexedExemplar extends Exemplar {
  /** Where it came from: the expert definition or user feedback. */
  source: 'expert' | 'feedback'
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

/** Adds a packed vector's entries into `out` at i mod out.length (a power of two); returns `out`. */
function foldInto (v: PackedVector, out: Float32Array): Float32Array {
  const mask = out.length - 1
  if (v.idx == null) {
    for (let i = 0; i < v.val.length; i++) out[i & mask] = out[i & mask]! + v.val[i]!
  } else {
    for (let j = 0; j < v.idx.length; j++) { const i = v.idx[j]! & mask; out[i] = out[i]! + v.val[j]! }
  }
  return out
}

/** Folds a packed vector onto `foldDims` by summing entries i mod foldDims (signs are already random). */
export function foldPacked (v: PackedVector, foldDims: number): PackedVector {
  return v.dims <= foldDims ? v : pack(foldInto(v, new Float32Array(foldDims)))
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
let topCosine = new Float64Array(16)
let topExemplar = new Uint32Array(16)

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
  accumulate(expert.postings, query, acc)

  // the k best items, best first (earlier items first among equal cosines), in reused arrays
  const k = Math.max(keep, opts.rankWeights.length)
  if (topCosine.length < k) { topCosine = new Float64Array(k); topExemplar = new Uint32Array(k) }
  let n = 0
  for (let i = 0; i < expert.itemCount; i++) {
    const exemplar = expert.owner[i]!
    if (exemplar === excludeExemplar) continue
    const cosine = acc[i]!
    if (n === k && cosine <= topCosine[k - 1]!) continue
    let j = n < k ? n++ : k - 1
    while (j > 0 && topCosine[j - 1]! < cosine) { topCosine[j] = topCosine[j - 1]!; topExemplar[j] = topExemplar[j - 1]!; j-- }
    topCosine[j] = cosine
    topExemplar[j] = exemplar
  }
  const best: ItemHit[] = new Array<ItemHit>(n)
  for (let j = 0; j < n; j++) best[j] = { exemplar: topExemplar[j]!, cosine: topCosine[j]! }
  let s = 0
  let w = 0
  for (let j = 0; j < Math.min(n, opts.rankWeights.length); j++) {
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

let prefilterScores = new Float32Array(1024)
let foldScratch = new Float32Array(0)
let rowStart: Int32Array = new Int32Array(256)
let rowWeight: Float64Array = new Float64Array(256)
const growInt = (a: Int32Array): Int32Array => { const b = new Int32Array(a.length * 2); b.set(a); return b }
const growFloat = (a: Float64Array): Float64Array => { const b = new Float64Array(a.length * 2); b.set(a); return b }

/**
 * `scores[e] += weight_k * value[start_k + e]` for rows k = 0..rows-1 in order, four rows per pass
 * over `scores`; each step is rounded to float32 as a store into `scores` would, so the sums are
 * the same to the last bit as one row at a time.
 */
function addRows (scores: Float32Array, n: number, value: Float32Array, rows: number): void {
  const f = Math.fround
  let k = 0
  for (; k + 4 <= rows; k += 4) {
    const r0 = rowStart[k]!; const r1 = rowStart[k + 1]!; const r2 = rowStart[k + 2]!; const r3 = rowStart[k + 3]!
    const q0 = rowWeight[k]!; const q1 = rowWeight[k + 1]!; const q2 = rowWeight[k + 2]!; const q3 = rowWeight[k + 3]!
    for (let e = 0; e < n; e++) {
      scores[e] = f(f(f(scores[e]! + q0 * value[r0 + e]!) + q1 * value[r1 + e]!) + q2 * value[r2 + e]!) + q3 * value[r3 + e]!
    }
  }
  for (; k < rows; k++) {
    const r = rowStart[k]!
    const q = rowWeight[k]!
    for (let e = 0; e < n; e++) scores[e] = scores[e]! + q * value[r + e]!
  }
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
  if (prefilterScores.length < n) prefilterScores = new Float32Array(n)
  const scores = prefilterScores
  scores.fill(0, 0, n)
  // the question's non-zeros (folded when longer than the centroids), ascending
  let nz = 0
  const take = (d: number, q: number): void => {
    if (nz === rowStart.length) { rowStart = growInt(rowStart); rowWeight = growFloat(rowWeight) }
    rowStart[nz] = d * n
    rowWeight[nz++] = q
  }
  if (query.dims <= opts.foldDims) {
    if (query.idx == null) {
      for (let d = 0; d < query.val.length; d++) if (query.val[d] !== 0) take(d, query.val[d]!)
    } else {
      for (let k = 0; k < query.idx.length; k++) take(query.idx[k]!, query.val[k]!)
    }
  } else {
    if (foldScratch.length !== opts.foldDims) foldScratch = new Float32Array(opts.foldDims)
    const folded = foldInto(query, foldScratch)
    for (let d = 0; d < folded.length; d++) if (folded[d] !== 0) take(d, folded[d]!)
    folded.fill(0)
  }
  addRows(scores, n, m.value, nz)
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
