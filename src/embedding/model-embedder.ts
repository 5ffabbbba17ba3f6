/**
 * What the optional model-backed embedders (transformers, OpenAI-compatible) share: the
 * `Embedder` identity fields, fixed once when the embedder is built.
 */
import type { EmbedOptions, EmbedResult, Embedder } from './types.ts'

export interface EmbedderIdentity {
  provider: string
  modelId: string
  dims: number
  /** Stable cache key; it must change whenever the vectors would. */
  id: string
}

export abstract class ModelEmbedder implements Embedder {
  readonly specificationVersion = 'v1' as const
  readonly provider: string
  readonly modelId: string
  readonly dims: number
  readonly id: string

  protected constructor (identity: EmbedderIdentity) {
    this.provider = identity.provider
    this.modelId = identity.modelId
    this.dims = identity.dims
    this.id = identity.id
  }

  abstract doEmbed (options: EmbedOptions): Promise<EmbedResult>
}
