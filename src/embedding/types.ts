/**
 * The `Embedder` contract: texts in, L2-normalised vectors out. Embeddings are always computed
 * locally and never trusted from peers.
 */
import type { PackedVector } from './vectors.ts'

export interface EmbedOptions {
  values: string[]
  signal?: AbortSignal
}

export interface EmbedResult {
  embeddings: Float32Array[]
}

export interface Embedder {
  readonly specificationVersion: 'v1'
  readonly provider: string
  readonly modelId: string
  /** Stable id used as the embedding cache key, e.g. `builtin:hash-ngram@1`. */
  readonly id: string
  readonly dims: number
  doEmbed(options: EmbedOptions): Promise<EmbedResult>
}

/**
 * An embedder whose vectors depend on corpus statistics (e.g. idf). The router calls `fit` with
 * the library's exemplar texts; `id` must change whenever the fitted state changes, so cached
 * vectors from another state are never reused.
 */
export interface FittableEmbedder extends Embedder {
  fit(corpus: Iterable<string>): void
  /** Synchronous single-text embedding, for hot paths. */
  embedSync(text: string): Float32Array
  /** The same vector as `embedSync`, as its non-zero entries (sorted indices). */
  embedPacked(text: string): PackedVector
  /** The `id` prefix shared by every fitted state (used to drop stale cached vectors). */
  readonly idPrefix: string
  /**
   * Share (0..1) of a text's word weight that the fitted corpus knows; `excludeDoc` removes one
   * corpus document first (leave-one-out).
   */
  coverage?(text: string, options?: { excludeDoc?: string }): number
  /** Number of distinct content words of `query` found in `docs` (directly or via a concept). */
  evidence?(query: string, docs: string[]): number
}

export function isFittable (embedder: Embedder): embedder is FittableEmbedder {
  const e = embedder as Partial<FittableEmbedder>
  return typeof e.fit === 'function' && typeof e.embedSync === 'function' && typeof e.embedPacked === 'function'
}
