/**
 * One embedder bound to an embedding cache, for components that always embed with the same
 * embedder (learning's experience store and source): texts in, packed vectors out, in input
 * order; only texts the cache lacks reach the embedder, all in one call.
 */
import { EmbeddingCache } from './embedding-cache.ts'
import type { EmbeddingCacheInit } from './embedding-cache.ts'
import type { Embedder } from './types.ts'
import type { PackedVector } from './vectors.ts'

export class CachedEmbedder {
  readonly embedder: Embedder
  readonly cache: EmbeddingCache

  constructor (embedder: Embedder, init: EmbeddingCacheInit = {}) {
    this.embedder = embedder
    this.cache = new EmbeddingCache(init)
  }

  /** Embeds texts, using and filling the cache; results in input order. */
  async embed (texts: string[], signal?: AbortSignal): Promise<PackedVector[]> {
    signal?.throwIfAborted()
    return this.cache.embed(this.embedder, texts, { batchSize: Math.max(1, texts.length), ...(signal != null ? { signal } : {}) })
  }

  async embedOne (text: string, signal?: AbortSignal): Promise<PackedVector> {
    return (await this.embed([text], signal))[0]!
  }
}
