/**
 * The `Embedder` contract: texts in, L2-normalised vectors out. Embeddings are always computed
 * locally and never trusted from peers.
 */
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
