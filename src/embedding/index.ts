/**
 * Embeddings: the `Embedder` contract, the built-in embedders, the sparse vector form, the
 * embedding cache and a dense projection for outside stores.
 *
 * - `hashEmbedder()` (built-in, no download), `transformersEmbedder()` (local transformers.js
 *   model), `openaiEmbedder()` (any `/v1/embeddings` server); `createEmbedder(config.embedder)`
 *   picks one from the node config.
 * - `importModel(home, dir, { expect })`: a transformers model copied into `<home>/models/<cid>/`
 *   with a manifest of its files' CIDs (sneakernet); `verifyModel(dir)` re-checks it.
 * - `EmbeddingCache`: vectors keyed by (embedder id, text hash), in memory and in the library
 *   database.
 * - `denseVector()` turns the built-in sparse embedder's output into a fixed, seeded dense
 *   projection of a few hundred dimensions (see dense-projection.ts).
 */
export { hashEmbedder } from './hash-embedder.ts'
export type { HashEmbedderInit } from './hash-embedder.ts'
export { transformersEmbedder } from './transformers-embedder.ts'
export type { TransformersEmbedderInit } from './transformers-embedder.ts'
export { openaiEmbedder } from './openai-embedder.ts'
export type { OpenAIEmbedderInit } from './openai-embedder.ts'
export { createEmbedder } from './create-embedder.ts'
export { importModel, isImportedModel, verifyModel } from './model-store.ts'
export type { ImportedModel } from './model-store.ts'
export { EmbeddingCache } from './embedding-cache.ts'
export type { EmbeddingCacheInit, CachedEmbedOptions } from './embedding-cache.ts'
export { CachedEmbedder } from './cached-embedder.ts'
export { isFittable } from './types.ts'
export type { Embedder, EmbedOptions, EmbedResult, FittableEmbedder } from './types.ts'
export { cosine, cosinePacked, dotPacked, pack, unpack } from './vectors.ts'
export type { PackedVector } from './vectors.ts'
export { contentTokens } from './text.ts'
export { EmbeddingFailedError, EmbeddingModelNotFoundError, InvalidEmbedderOptionsError, ModelCidMismatchError, ModelFileChangedError } from './errors.ts'
export { DENSE_PROJECTION_ID, denseDims, denseVector, InvalidDimensionsError, MAX_DENSE_DIMS } from './dense-projection.ts'
