/**
 * Middleware around a runtime (STYLE §3): the LoRA adapter is picked here, from the routed
 * `knowledge`, so each runtime only has to apply the `adapters` it is handed.
 */
import type { AdapterSpec, GenerateOptions, GenerateResult, KnowledgeRef, LlmRuntime, RuntimeMiddleware, StreamPart, TokenDistributionSource } from './types.ts'

/** Returns a runtime that runs every call's options through `middleware` (first listed runs first). */
export function wrapRuntime (runtime: LlmRuntime, ...middleware: RuntimeMiddleware[]): LlmRuntime {
  const transform = async (options: GenerateOptions): Promise<GenerateOptions> => {
    let out = options
    for (const m of middleware) {
      if (m.transformOptions != null) out = await m.transformOptions(out)
    }
    return out
  }
  return {
    specificationVersion: runtime.specificationVersion,
    provider: runtime.provider,
    modelId: runtime.modelId,
    async doGenerate (options: GenerateOptions): Promise<GenerateResult> {
      return runtime.doGenerate(await transform(options))
    },
    async doStream (options: GenerateOptions): Promise<ReadableStream<StreamPart>> {
      return runtime.doStream(await transform(options))
    },
    async close (): Promise<void> {
      await runtime.close()
    },
    // next-token distributions (the adapter canary) take their adapters directly: passed through
    ...(isDistributionSource(runtime) ? { nextTokenDistribution: runtime.nextTokenDistribution.bind(runtime) } : {})
  }
}

export interface AdapterMiddlewareInit {
  /**
   * Maps the routed knowledge to adapters. Default: the expert's `loraPath` at its `scale`
   * (default 1), named after the expert; no `loraPath` means the base model.
   */
  select?: (knowledge: KnowledgeRef, options: GenerateOptions) => AdapterSpec[]
}

export function defaultAdapterSelect (knowledge: KnowledgeRef): AdapterSpec[] {
  if (knowledge.loraPath == null || knowledge.loraPath === '') return []
  return [{ name: knowledge.name, path: knowledge.loraPath, scale: knowledge.scale ?? 1 }]
}

/** Fills `options.adapters` from `options.knowledge`, unless the caller already set `adapters`. */
export function adapterMiddleware (init: AdapterMiddlewareInit = {}): RuntimeMiddleware {
  const select = init.select ?? defaultAdapterSelect
  return {
    transformOptions: (options) => {
      if (options.adapters != null || options.knowledge == null) return options
      return { ...options, adapters: select(options.knowledge, options) }
    }
  }
}

/** Does this runtime expose next-token distributions (the llama runtime, and wrappers of it)? */
export function isDistributionSource (runtime: object): runtime is TokenDistributionSource {
  return typeof (runtime as Partial<TokenDistributionSource>).nextTokenDistribution === 'function'
}
