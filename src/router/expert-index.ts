/**
 * The in-memory exemplar index and the scoring rule. Each exemplar is indexed twice: its question
 * alone and its question with the answer. An expert's score for a question is a rank-weighted mean
 * of its best item cosines (kNN). With many experts, centroids folded to a small dimension pick
 * the candidates first, so a decision over 1000 experts stays under a millisecond.
 */
import { DimensionMismatchError } from './errors.ts'
import { dotPacked, pack } from './vectors.ts'
import type { PackedVector } from './vectors.ts'
import type { Exemplar } from './types.ts'

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
  /** Item vectors; `owner[i]` is the exemplar index of item i. */
  items: PackedVector[]
  owner: number[]
  /** Sum of item vectors folded to `foldDims`, normalised (the prefilter centroid). */
  centroid: Float32Array
}

export interface ScoringOptions {
  /** Weights of the 1st, 2nd, … best item cosines (normalised over those present). */
  rankWeights: number[]
  /** Above this many experts, only the best `candidates` by centroid are scored by kNN. */
  prefilterAbove: number
  candidates: number
  /** Centroid length for the prefilter (vectors longer than this are folded). */
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

/** Folds a vector onto `fold` dims by summing entries i mod fold (signs are already random). */
export function fold (v: Float32Array, foldDims: number): Float32Array {
  if (v.length <= foldDims) return v
  const out = new Float32Array(foldDims)
  const mask = foldDims - 1
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!
    if (x !== 0) out[i & mask] = out[i & mask]! + x
  }
  return out
}

export function buildExpert (
  meta: { id: string, name: string, domain: string, description?: string },
  exemplars: IndexedExemplar[],
  vectors: Array<{ exemplar: number, vector: Float32Array }>,
  dims: number,
  foldDims: number
): IndexedExpert {
  const width = Math.min(dims, foldDims)
  const centroid = new Float32Array(width)
  const items: PackedVector[] = []
  const owner: number[] = []
  for (const { exemplar, vector } of vectors) {
    if (vector.length !== dims) {
      throw new DimensionMismatchError(`embedding has ${vector.length} dims, index has ${dims}`, { expected: dims, actual: vector.length })
    }
    const folded = fold(vector, foldDims)
    for (let i = 0; i < width; i++) centroid[i] = centroid[i]! + folded[i]!
    items.push(pack(vector))
    owner.push(exemplar)
  }
  let n = 0
  for (let i = 0; i < width; i++) n += centroid[i]! * centroid[i]!
  n = Math.sqrt(n)
  if (n > 0) for (let i = 0; i < width; i++) centroid[i] = centroid[i]! / n
  const base = { id: meta.id, name: meta.name, domain: meta.domain, exemplars, items, owner, centroid }
  return meta.description == null ? base : { ...base, description: meta.description }
}

/**
 * Scores one expert. `excludeExemplar` leaves one exemplar's items out (leave-one-out);
 * `keep` is how many best items to return (at least the number of rank weights).
 */
export function scoreExpert (
  expert: IndexedExpert,
  query: Float32Array,
  opts: ScoringOptions,
  excludeExemplar = -1,
  keep = opts.rankWeights.length
): ExpertResult {
  const k = Math.max(keep, opts.rankWeights.length)
  const best: ItemHit[] = []
  for (let i = 0; i < expert.items.length; i++) {
    const exemplar = expert.owner[i]!
    if (exemplar === excludeExemplar) continue
    const cosine = dotPacked(query, expert.items[i]!)
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

/** Picks candidate experts by folded centroid when the index is large. */
export function candidates (
  experts: IndexedExpert[],
  foldedQuery: PackedVector,
  opts: ScoringOptions,
  mustInclude?: string
): IndexedExpert[] {
  if (experts.length <= opts.prefilterAbove) return experts
  const scored: Array<{ e: IndexedExpert, s: number }> = []
  for (const e of experts) scored.push({ e, s: dotPacked(e.centroid, foldedQuery) })
  scored.sort((a, b) => b.s - a.s)
  const picked = scored.slice(0, opts.candidates).map(x => x.e)
  if (mustInclude != null && !picked.some(e => e.id === mustInclude)) {
    const own = experts.find(e => e.id === mustInclude)
    if (own != null) picked.push(own)
  }
  return picked
}

/** Scores the candidate experts for a query, best first. */
export function scoreExperts (
  experts: IndexedExpert[],
  query: Float32Array,
  opts: ScoringOptions,
  exclude?: { expertId: string, exemplar: number }
): ExpertResult[] {
  const pool = candidates(experts, pack(fold(query, opts.foldDims)), opts, exclude?.expertId)
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
