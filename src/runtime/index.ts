/**
 * Runtimes: one `LlmRuntime` interface for every way Baobab produces text.
 *
 * - `llamaRuntime({ modelPath })`: node-llama-cpp in-process on the CPU, LoRA adapters as GGUF
 *   files, contexts pooled per adapter set; also `nextTokenDistribution()` for canaries and KL.
 * - `openaiRuntime({ baseUrl, model })`: any OpenAI-compatible server (llama-server, vLLM, Ollama).
 * - `retrievalRuntime()`: no model; answers with the routed expert's exemplars, labelled retrieved.
 * - `createRuntime(config.runtime)`: one of the above from `NodeConfig.runtime`, wrapped in
 *   `adapterMiddleware()` so `knowledge.loraPath` becomes the adapter to apply.
 *
 * Streams: read a `doStream` result to the end or `cancel()` it. The llama runtime holds the
 * expert's pooled context until then (each context serves one call at a time).
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ kind: 'llama', model: 'base.gguf' })
 * const { text } = await runtime.doGenerate({
 *   messages: [{ role: 'user', content: 'When should I plant maize?' }],
 *   knowledge: { id: 'cid', name: 'maize', domain: 'agronomy', loraPath: 'maize.lora.gguf' }
 * })
 * for await (const part of await runtime.doStream({ messages })) if (part.type === 'text-delta') process.stdout.write(part.delta)
 * await runtime.close()
 * ```
 */
import type { RuntimeConfig } from '../config.ts'
import { InvalidRuntimeConfigError, UnknownRuntimeError } from './errors.ts'
import { llamaRuntime } from './llama-runtime.ts'
import { adapterMiddleware, wrapRuntime } from './middleware.ts'
import { openaiRuntime } from './openai-runtime.ts'
import { retrievalRuntime } from './retrieval-runtime.ts'
import type { LlmRuntime } from './types.ts'

export type {
  AdapterSpec, ChatMessage, Experience, FinishReason, GenerateOptions, GenerationSettings, GenerateResult, KnowledgeRef, LlmRuntime, ResponseFormat,
  RuntimeMiddleware, StreamPart, TokenDistribution, TokenDistributionOptions, TokenDistributionSource, ToolCall, ToolChoice, ToolDefinition, Usage
} from './types.ts'
export {
  AdapterBaseMismatchError, AdapterFileNotFoundError, InvalidPromptError, InvalidRuntimeConfigError, ModelFileNotFoundError,
  LlamaBinaryUnavailableError, ModelLoadError, NotALoraAdapterError, PromptTooLongError, RuntimeClosedError, RuntimeConnectionError, RuntimeError,
  RuntimeHttpError, RuntimeProtocolError, RuntimeTimeoutError, UnknownRuntimeError, UnsupportedRequestError
} from './errors.ts'
export { LlamaRuntime, llamaRuntime } from './llama-runtime.ts'
export { describeLlamaBinding, LLAMA_GPU_SETTINGS } from './llama-binding.ts'
export type { LlamaBindingReport } from './llama-binding.ts'
export type { LlamaRuntimeInit, LoadOptions } from './llama-runtime.ts'
export type { PoolStats } from './llama-pool.ts'
export type { CheckedLora } from './lora-check.ts'
export { openaiRuntime } from './openai-runtime.ts'
export type { OpenAiRuntimeInit } from './openai-runtime.ts'
export { retrievalRuntime } from './retrieval-runtime.ts'
export type { RetrievalRuntimeInit } from './retrieval-runtime.ts'
export { adapterMiddleware, isDistributionSource } from './middleware.ts'
export type { AdapterMiddlewareInit } from './middleware.ts'
export type { PartStreamInit, TextProducer } from './part-stream.ts'
export { countWords } from './prompt.ts'

/**
 * Builds the runtime named by `config.kind`, wrapped in {@link adapterMiddleware} so the routed
 * expert's `knowledge.loraPath` (llama) or name (openai) picks the adapter.
 */
export function createRuntime (config: RuntimeConfig): LlmRuntime {
  switch (config.kind) {
    case 'retrieval':
      return wrapRuntime(retrievalRuntime(), adapterMiddleware())
    case 'llama': {
      if (config.model == null || config.model === '') throw new InvalidRuntimeConfigError('runtime.model', config.model, 'the path of a base GGUF file')
      return wrapRuntime(llamaRuntime({
        modelPath: config.model,
        ...(config.poolSize != null ? { poolSize: config.poolSize } : {}),
        ...(config.contextSize != null ? { contextSize: config.contextSize } : {}),
        ...(config.threads != null ? { threads: config.threads } : {}),
        ...(config.gpu != null ? { gpu: config.gpu } : {})
      }), adapterMiddleware())
    }
    case 'openai': {
      if (config.baseUrl == null || config.baseUrl === '') throw new InvalidRuntimeConfigError('runtime.baseUrl', config.baseUrl, 'the URL of an OpenAI-compatible server')
      if (config.model == null || config.model === '') throw new InvalidRuntimeConfigError('runtime.model', config.model, 'a model name')
      return wrapRuntime(openaiRuntime({
        baseUrl: config.baseUrl,
        model: config.model,
        ...(config.apiKey != null ? { apiKey: config.apiKey } : {}),
        ...(config.timeoutMs != null ? { timeoutMs: config.timeoutMs } : {}),
        ...(config.lora != null ? { lora: config.lora } : {})
      }), adapterMiddleware())
    }
    default:
      throw new UnknownRuntimeError((config as { kind: unknown }).kind)
  }
}
