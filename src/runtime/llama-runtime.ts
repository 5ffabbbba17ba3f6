/**
 * The `llama` runtime: node-llama-cpp in-process on the CPU, one base GGUF, LoRA adapters as
 * GGUF files applied per context, contexts pooled by adapter set (see llama-pool.ts).
 * The model loads on first use (or `load()`); adapters are checked with lora-check.ts first.
 */
import { existsSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { logger } from '@libp2p/logger'
import type { ChatWrapper, Llama, LlamaModel, Token } from 'node-llama-cpp'
import { DEFAULT_CONTEXT_SIZE, DEFAULT_POOL_SIZE, MAX_PROMPT_CHARS, SMALL_MODEL_BYTES } from './constants.ts'
import { InvalidPromptError, InvalidRuntimeConfigError, ModelFileNotFoundError, ModelLoadError, PromptTooLongError, RuntimeClosedError } from './errors.ts'
import { llamaBinding } from './llama-binding.ts'
import { abortable, alignSequence, readDistribution, samplingOptions } from './llama-eval.ts'
import { ContextPool } from './llama-pool.ts'
import type { PoolAdapter, PoolLease, PoolStats } from './llama-pool.ts'
import { chatWrapperFor, formatChat, IncrementalDecoder } from './llama-prompt.ts'
import { isCompleteJson, outputPlan, parseToolCall, withToolNote } from './llama-structured.ts'
import type { NodeLlamaCpp } from './llama-prompt.ts'
import { baseShapesFromFileInfo, LoraChecker, readBaseShapes } from './lora-check.ts'
import { collectStream, partStream } from './part-stream.ts'
import { messagesWithExperiences, resolveMaxTokens, validateGenerateOptions } from './prompt.ts'
import type {
  AdapterSpec, FinishReason, GenerateOptions, GenerateResult, LlmRuntime, StreamPart,
  TokenDistribution, TokenDistributionOptions, TokenDistributionSource
} from './types.ts'
import type { LlamaGpu } from '../config.ts'

const log = logger('baobab:runtime:llama')

export interface LlamaRuntimeInit {
  /** Base model GGUF. */
  modelPath: string
  /** Contexts kept warm, one per adapter set (default 4). */
  poolSize?: number
  /** Context window per context (default min(4096, training context)). */
  contextSize?: number
  /** CPU threads per context (default: 1 for models under 64 MiB, else node-llama-cpp's default). */
  threads?: number
  batchSize?: number
  /** Share one llama.cpp binding between runtimes (default: one per process and GPU setting). */
  llama?: Llama
  /** GPU backend for the process-wide binding (default `auto`: the best prebuilt binary that loads, else the CPU). */
  gpu?: LlamaGpu
  /** An already loaded `modelPath` to share between runtimes; `close()` leaves it loaded. */
  model?: LlamaModel
}

export interface LoadOptions {
  signal?: AbortSignal
  onProgress?: (event: { type: 'runtime:load', loaded: number }) => void
}

interface Loaded {
  nlc: NodeLlamaCpp
  model: LlamaModel
  pool: ContextPool
  checker: LoraChecker
  wrapper: ChatWrapper
  template: 'model' | 'plain'
  contextSize: number
}

export class LlamaRuntime implements LlmRuntime, TokenDistributionSource {
  readonly specificationVersion = 'v1'
  readonly provider = 'llama'
  readonly modelId: string
  private readonly init: LlamaRuntimeInit
  private readonly poolSize: number
  private loading: Promise<Loaded> | undefined
  private loaded: Loaded | undefined
  private closed = false

  constructor (init: LlamaRuntimeInit) {
    if (typeof init.modelPath !== 'string' || init.modelPath === '') {
      throw new InvalidRuntimeConfigError('modelPath', init.modelPath, 'the path of a base GGUF file')
    }
    this.poolSize = init.poolSize ?? DEFAULT_POOL_SIZE
    for (const [field, value] of [['poolSize', this.poolSize], ['contextSize', init.contextSize], ['threads', init.threads], ['batchSize', init.batchSize]] as const) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
        throw new InvalidRuntimeConfigError(field, value, 'a positive integer')
      }
    }
    if (!existsSync(init.modelPath)) throw new ModelFileNotFoundError(init.modelPath)
    this.init = init
    this.modelId = basename(init.modelPath).replace(/\.gguf$/i, '')
  }

  /** Loads the base model (first use does this too). */
  async load (options: LoadOptions = {}): Promise<void> {
    await this.ensureLoaded(options)
  }

  /** Pool counters: contexts held, hits, misses, evictions. */
  poolStats (): PoolStats {
    return this.loaded?.pool.stats() ?? { size: 0, capacity: this.poolSize, hits: 0, misses: 0, evictions: 0 }
  }

  /** Which chat format prompts get: the model's own template, or the plain fallback. */
  async chatTemplate (): Promise<'model' | 'plain'> {
    return (await this.ensureLoaded({})).template
  }

  /**
   * Makes sure a context for this adapter set is warm (checks the adapters, creates the context
   * on a miss). Returns whether it was already in the pool. Used to pre-load experts.
   */
  async prepare (adapters: AdapterSpec[], options: { signal?: AbortSignal } = {}): Promise<{ hit: boolean }> {
    const lease = await this.lease(adapters, options.signal)
    lease.release()
    return { hit: lease.hit }
  }

  async doGenerate (options: GenerateOptions): Promise<GenerateResult> {
    return collectStream(await this.doStream(options), options.signal)
  }

  async doStream (options: GenerateOptions): Promise<ReadableStream<StreamPart>> {
    this.assertOpen()
    validateGenerateOptions(options)
    const { signal } = options
    signal?.throwIfAborted()
    const warnings: string[] = []
    if (options.adapters == null && options.knowledge?.loraPath != null) {
      warnings.push('knowledge has a LoRA file but no adapters were selected: wrap the runtime with adapterMiddleware()')
    }
    const state = await this.ensureLoaded({ ...(signal != null ? { signal } : {}) })
    const plan = await outputPlan(state.nlc, state.model, options)
    warnings.push(...plan.warnings)
    const prompt = formatChat(
      state.nlc, state.wrapper, state.model, withToolNote(messagesWithExperiences(options.messages, options.experiences), plan), options.stop
    )
    if (prompt.tokens.length >= state.contextSize) throw new PromptTooLongError(prompt.tokens.length, state.contextSize)
    const lease = await this.lease(options.adapters ?? [], signal)
    const model = state.model
    const maxTokens = Math.min(resolveMaxTokens(options), state.contextSize - prompt.tokens.length)
    const sampling = samplingOptions(options)

    return partStream(async function * (usage) {
      const seq = lease.sequence
      const keep = await alignSequence(lease, prompt.tokens)
      const decoder = new IncrementalDecoder(model, prompt.stops, prompt.tokens)
      let finish: FinishReason = 'length'
      let json = '' // structured answers: stop as soon as the value is complete
      for await (const token of seq.evaluate(prompt.tokens.slice(keep), { ...sampling, ...plan.evaluation })) {
        if (model.isEogToken(token)) {
          finish = 'stop'
          break
        }
        usage.outputTokens++
        const piece = decoder.push(token)
        json += piece
        if (plan.mode !== 'tool') yield piece
        if (decoder.stopped || (plan.mode !== 'text' && isCompleteJson(json))) {
          finish = 'stop'
          break
        }
        if (usage.outputTokens >= maxTokens) break
      }
      const rest = decoder.flush()
      const call = plan.mode === 'tool' ? parseToolCall(json + rest) : null
      if (call != null) {
        plan.toolCalls.push(call)
        return 'tool-calls'
      }
      yield plan.mode === 'tool' ? json + rest : rest // a tool call cut short: show what there is
      return finish
    }, {
      log,
      warnings,
      toolCalls: plan.toolCalls,
      inputTokens: prompt.tokens.length,
      onDone: lease.release,
      ...(signal != null ? { signal } : {})
    })
  }

  async nextTokenDistribution (prompt: string, options: TokenDistributionOptions = {}): Promise<TokenDistribution> {
    this.assertOpen()
    if (typeof prompt !== 'string') throw new InvalidPromptError('prompt must be a string')
    if (prompt.length > MAX_PROMPT_CHARS) throw new InvalidPromptError(`prompt has ${prompt.length} characters (limit ${MAX_PROMPT_CHARS})`)
    const topK = options.topK ?? 10
    if (!Number.isSafeInteger(topK) || topK < 0) throw new InvalidPromptError('topK must be an integer >= 0')
    options.signal?.throwIfAborted()
    const state = await this.ensureLoaded({ ...(options.signal != null ? { signal: options.signal } : {}) })
    const { model } = state
    const tokens: Token[] = model.tokenize(prompt)
    const bos = model.tokens.bos
    if (options.addBos !== false && bos != null) tokens.unshift(bos)
    if (tokens.length === 0) throw new InvalidPromptError('prompt is empty and the model has no BOS token')
    if (tokens.length >= state.contextSize) throw new PromptTooLongError(tokens.length, state.contextSize)
    const lease = await this.lease(options.adapters ?? [], options.signal)
    try {
      return await readDistribution(lease, model, tokens, topK, this.init.modelPath)
    } finally {
      lease.release()
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    const loading = this.loading
    this.loading = undefined
    this.loaded = undefined
    if (loading == null) return
    try {
      const state = await loading
      await state.pool.close()
      if (this.init.model == null) await state.model.dispose()
    } catch (err) {
      log('close after a failed load: %e', err)
    }
  }

  private assertOpen (): void {
    if (this.closed) throw new RuntimeClosedError(this.provider)
  }

  private async lease (adapters: AdapterSpec[], signal?: AbortSignal): Promise<PoolLease> {
    this.assertOpen()
    const state = await this.ensureLoaded({ ...(signal != null ? { signal } : {}) })
    const set: PoolAdapter[] = []
    for (const [i, a] of adapters.entries()) {
      if (a.path == null || a.path === '') {
        throw new InvalidPromptError(`adapters[${i}] (${a.name}) has no GGUF path; the llama runtime applies LoRA files`)
      }
      const checked = await state.checker.check(a.path)
      set.push({ path: checked.path, scale: a.scale ?? 1 })
    }
    signal?.throwIfAborted()
    return state.pool.acquire(set, signal)
  }

  private async ensureLoaded (options: LoadOptions): Promise<Loaded> {
    this.assertOpen()
    if (this.loaded != null) return this.loaded
    this.loading ??= this.loadModel(options.onProgress)
    const loading = this.loading
    loading.catch(() => { if (this.loading === loading) this.loading = undefined })
    const state = await abortable(loading, options.signal)
    this.loaded = state
    return state
  }

  private async loadModel (onProgress?: LoadOptions['onProgress']): Promise<Loaded> {
    const path = resolve(this.init.modelPath)
    let size: number
    try {
      size = (await stat(path)).size
    } catch (err) {
      throw new ModelFileNotFoundError(this.init.modelPath, { cause: err })
    }
    // Parse the header in JS first: a damaged GGUF must be a named error, not a native failure
    // (node-llama-cpp's reader can run away on garbage lengths).
    const checkedBase = this.init.model == null ? await readBaseShapes(path) : undefined
    const nlc = await import('node-llama-cpp')
    // a missing native binary is its own named error, not a model load failure
    const llama = this.init.model == null ? this.init.llama ?? await llamaBinding(this.init.gpu) : undefined
    let model: LlamaModel
    try {
      model = this.init.model ?? await llama!.loadModel({
        modelPath: path,
        onLoadProgress: (loaded) => onProgress?.({ type: 'runtime:load', loaded })
      })
    } catch (err) {
      throw new ModelLoadError(this.init.modelPath, { cause: err })
    }
    const base = checkedBase ?? baseShapesFromFileInfo(path, model.fileInfo) ?? await readBaseShapes(path)
    const contextSize = this.init.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, model.trainContextSize)
    const threads = this.init.threads ?? (size < SMALL_MODEL_BYTES ? 1 : undefined)
    const pool = new ContextPool({
      model,
      size: this.poolSize,
      contextSize,
      log,
      ...(threads != null ? { threads } : {}),
      ...(this.init.batchSize != null ? { batchSize: this.init.batchSize } : {})
    })
    const { wrapper, template } = chatWrapperFor(nlc, model)
    log('loaded %s (%d bytes, %s chat template, context %d, pool %d)', path, size, template, contextSize, this.poolSize)
    if (this.closed) {
      if (this.init.model == null) await model.dispose()
      throw new RuntimeClosedError(this.provider)
    }
    return { nlc, model, pool, checker: new LoraChecker(base), wrapper, template, contextSize }
  }
}

export function llamaRuntime (init: LlamaRuntimeInit): LlamaRuntime {
  return new LlamaRuntime(init)
}
