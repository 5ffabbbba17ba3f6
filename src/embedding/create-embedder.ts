/**
 * Builds the embedder named by the node configuration (`config.embedder`).
 */
import { InvalidEmbedderOptionsError } from './errors.ts'
import { hashEmbedder } from './hash-embedder.ts'
import { OpenAIEmbedder } from './openai-embedder.ts'
import { transformersEmbedder } from './transformers-embedder.ts'
import type { EmbedderConfig } from '../config.ts'
import type { Embedder } from './types.ts'

export async function createEmbedder (config: EmbedderConfig = { kind: 'builtin' }, options: { signal?: AbortSignal } = {}): Promise<Embedder> {
  switch (config.kind) {
    case 'builtin':
      return hashEmbedder()
    case 'transformers':
      if (config.model == null || config.model === '') {
        throw new InvalidEmbedderOptionsError('embedder.model', 'embedder.model must name a local model directory')
      }
      return transformersEmbedder({ modelPath: config.model })
    case 'openai':
      if (config.baseUrl == null || config.model == null) {
        throw new InvalidEmbedderOptionsError('embedder.baseUrl', 'embedder.baseUrl and embedder.model are required for kind "openai"')
      }
      return OpenAIEmbedder.connect({
        baseUrl: config.baseUrl,
        model: config.model,
        ...(config.apiKey == null ? {} : { apiKey: config.apiKey }),
        ...(config.dims == null ? {} : { dims: config.dims })
      }, options)
    default:
      throw new InvalidEmbedderOptionsError('embedder.kind', `unknown embedder kind ${String((config as { kind: unknown }).kind)}`)
  }
}
