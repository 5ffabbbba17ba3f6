/**
 * The `openai` runtime: any OpenAI-compatible `/chat/completions` server (llama-server, vLLM,
 * Ollama) over fetch. Streams with SSE; each attempt has a timeout (until headers, then between
 * chunks); 429, 5xx, timeouts and refused connections are retried with exponential backoff
 * (honouring Retry-After). Adapters reach the server as the model name (vLLM runtime LoRA,
 * Ollama) or as llama-server's per-request `lora: [{id, scale}]`. Tools, `tool_choice`,
 * `response_format` and `stop` are passed through; the server's tool calls come back as parts.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { logger } from '@libp2p/logger'
import { DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BASE_MS, DEFAULT_TEMPERATURE, DEFAULT_TIMEOUT_MS, MAX_RETRY_DELAY_MS } from './constants.ts'
import { InvalidRuntimeConfigError, RuntimeClosedError, RuntimeConnectionError, RuntimeHttpError, RuntimeProtocolError } from './errors.ts'
import { partStream } from './part-stream.ts'
import { countWords, messagesWithExperiences, resolveMaxTokens, validateGenerateOptions } from './prompt.ts'
import { mapFinish, parseJson, parseRetryAfter, readToolCalls, readUsage, ToolCallAccumulator, Watchdog, wireExtras, wireMessages } from './openai-wire.ts'
import type { ChatJson } from './openai-wire.ts'
import { sseData } from './sse.ts'
import type { FinishReason, GenerateOptions, GenerateResult, LlmRuntime, StreamPart, ToolCall } from './types.ts'

const log = logger('baobab:runtime:openai')

export interface OpenAiRuntimeInit {
  /** e.g. `http://127.0.0.1:8080/v1` (llama-server), `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string
  /** Model name sent when no adapter is chosen. */
  model: string
  apiKey?: string
  /** Per attempt: until the response headers, then between stream chunks (default 60000). */
  timeoutMs?: number
  /** Extra attempts after a 429, 5xx, timeout or refused connection (default 2). */
  maxRetries?: number
  /** First backoff delay; doubles per retry (default 250 ms). */
  retryBaseMs?: number
  /**
   * How adapters reach the server (default `model`):
   * - `model`: the adapter's name is the model (vLLM `--enable-lora` / runtime loading, Ollama);
   * - `llama-server`: per-request `lora: [{id, scale}]`, ids from `adapter.id` or `loraIds`;
   * - `none`: adapters are ignored (with a warning).
   */
  lora?: 'model' | 'llama-server' | 'none'
  /** llama-server: adapter name → id (the order of its `--lora` flags). */
  loraIds?: Record<string, number>
  headers?: Record<string, string>
}

interface RequestPlan {
  body: Record<string, unknown>
  warnings: string[]
}

export class OpenAiRuntime implements LlmRuntime {
  readonly specificationVersion = 'v1'
  readonly provider = 'openai'
  readonly modelId: string
  private readonly url: string
  private readonly init: OpenAiRuntimeInit
  private readonly timeoutMs: number
  private readonly maxRetries: number
  private readonly retryBaseMs: number
  private closed = false

  constructor (init: OpenAiRuntimeInit) {
    let parsed: URL
    try {
      parsed = new URL(init.baseUrl)
    } catch (err) {
      throw new InvalidRuntimeConfigError('baseUrl', init.baseUrl, 'an http(s) URL', { cause: err })
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidRuntimeConfigError('baseUrl', init.baseUrl, 'an http(s) URL')
    if (typeof init.model !== 'string' || init.model === '') throw new InvalidRuntimeConfigError('model', init.model, 'a model name')
    this.timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.maxRetries = init.maxRetries ?? DEFAULT_MAX_RETRIES
    this.retryBaseMs = init.retryBaseMs ?? DEFAULT_RETRY_BASE_MS
    for (const [field, value, min] of [['timeoutMs', this.timeoutMs, 1], ['maxRetries', this.maxRetries, 0], ['retryBaseMs', this.retryBaseMs, 0]] as const) {
      if (!Number.isSafeInteger(value) || value < min) throw new InvalidRuntimeConfigError(field, value, `an integer >= ${min}`)
    }
    this.init = init
    this.url = init.baseUrl.replace(/\/+$/, '') + '/chat/completions'
    this.modelId = init.model
  }

  async doGenerate (options: GenerateOptions): Promise<GenerateResult> {
    const plan = this.plan(options, false)
    const { response, watchdog } = await this.post(plan.body, options.signal)
    let json: ChatJson
    try {
      json = await parseJson(await response.text(), this.url)
    } catch (err) {
      if (options.signal?.aborted === true) throw options.signal.reason
      throw watchdog.reason() ?? err
    } finally {
      watchdog.stop()
    }
    const choice = json.choices?.[0]
    const content = choice?.message?.content
    if (choice == null || (content != null && typeof content !== 'string')) {
      throw new RuntimeProtocolError(this.url, 'no choices[0].message.content in the answer')
    }
    const text = content ?? ''
    const usage = readUsage(json.usage)
    if (usage.outputTokens === 0 && usage.inputTokens === 0) {
      plan.warnings.push('the server reported no usage; token counts are word estimates')
      usage.inputTokens = options.messages.reduce((n, m) => n + countWords(m.content), 0)
      usage.outputTokens = countWords(text)
    }
    const toolCalls = readToolCalls(choice.message?.tool_calls)
    return { text, finishReason: mapFinish(choice.finish_reason), usage, warnings: plan.warnings, ...(toolCalls.length > 0 ? { toolCalls } : {}) }
  }

  async doStream (options: GenerateOptions): Promise<ReadableStream<StreamPart>> {
    const plan = this.plan(options, true)
    const { response, watchdog } = await this.post(plan.body, options.signal)
    const body = response.body
    if (body == null) {
      watchdog.stop()
      throw new RuntimeProtocolError(this.url, 'streaming answer has no body')
    }
    const url = this.url
    const warnings = plan.warnings
    const toolCalls: ToolCall[] = []
    const calls = new ToolCallAccumulator()
    return partStream(async function * (usage) {
      let finish: FinishReason = 'stop'
      let serverUsage = false
      try {
        for await (const data of sseData(body)) {
          watchdog.reset()
          if (data.trim() === '[DONE]') break
          const chunk = await parseJson(data, url)
          if (chunk.error != null) throw new RuntimeProtocolError(url, `server error in stream: ${String(chunk.error.message ?? JSON.stringify(chunk.error))}`)
          if (chunk.usage != null) {
            Object.assign(usage, readUsage(chunk.usage))
            serverUsage = true
          }
          const choice = chunk.choices?.[0]
          if (choice?.finish_reason != null) finish = mapFinish(choice.finish_reason)
          calls.add(choice?.delta?.tool_calls)
          const delta = choice?.delta?.content
          if (typeof delta === 'string' && delta !== '') {
            if (!serverUsage) usage.outputTokens++
            watchdog.stop() // the reader's pace is not the server's
            yield delta
            watchdog.reset()
          }
        }
      } catch (err) {
        throw watchdog.reason() ?? err
      } finally {
        watchdog.stop()
      }
      if (!serverUsage) warnings.push('the server reported no usage; output tokens counted as stream chunks')
      toolCalls.push(...calls.done())
      return finish
    }, {
      log,
      warnings,
      toolCalls,
      inputTokens: options.messages.reduce((n, m) => n + countWords(m.content), 0),
      ...(options.signal != null ? { signal: options.signal } : {})
    })
  }

  async close (): Promise<void> {
    this.closed = true
  }

  private plan (options: GenerateOptions, stream: boolean): RequestPlan {
    if (this.closed) throw new RuntimeClosedError(this.provider)
    validateGenerateOptions(options)
    options.signal?.throwIfAborted()
    const warnings: string[] = []
    const body: Record<string, unknown> = {
      model: this.init.model,
      messages: wireMessages(messagesWithExperiences(options.messages, options.experiences)),
      max_tokens: resolveMaxTokens(options),
      temperature: options.temperature ?? DEFAULT_TEMPERATURE,
      stream,
      ...wireExtras(options)
    }
    if (options.seed != null) body.seed = options.seed
    if (stream) body.stream_options = { include_usage: true }
    const adapters = options.adapters ?? []
    const mode = this.init.lora ?? 'model'
    if (mode === 'llama-server') {
      const lora: Array<{ id: number, scale: number }> = []
      for (const a of adapters) {
        const id = a.id ?? this.init.loraIds?.[a.name]
        if (id == null) warnings.push(`adapter ${a.name} has no llama-server id; answered without it`)
        else lora.push({ id, scale: a.scale ?? 1 })
      }
      body.lora = lora // adapters left out run at scale 0: an empty list is the base model
    } else if (mode === 'model' && adapters.length > 0) {
      const [first] = adapters
      if (first != null) body.model = first.name
      if (adapters.length > 1) warnings.push(`only one adapter can be the model; ${adapters.slice(1).map(a => a.name).join(', ')} ignored`)
      if ((first?.scale ?? 1) !== 1) warnings.push(`adapter scale ${first?.scale} cannot be sent as a model name; the server's scale applies`)
    } else if (adapters.length > 0) {
      warnings.push('adapters ignored: this runtime is configured without LoRA support')
    }
    const extra = options.runtimeOptions?.body
    if (extra != null && typeof extra === 'object') Object.assign(body, extra)
    return { body, warnings }
  }

  /** POSTs with retries; resolves once a 2xx response's headers arrived. */
  private async post (body: Record<string, unknown>, signal?: AbortSignal): Promise<{ response: Response, watchdog: Watchdog }> {
    const payload = JSON.stringify(body)
    let lastError: Error | undefined
    for (let attempt = 1; ; attempt++) {
      const watchdog = new Watchdog(this.url, this.timeoutMs)
      const requestSignal = signal != null ? AbortSignal.any([signal, watchdog.signal]) : watchdog.signal
      let retryAfterMs: number | undefined
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: body.stream === true ? 'text/event-stream' : 'application/json',
            ...(this.init.apiKey != null ? { authorization: `Bearer ${this.init.apiKey}` } : {}),
            ...this.init.headers
          },
          body: payload,
          signal: requestSignal
        })
        if (response.ok) {
          watchdog.reset()
          return { response, watchdog }
        }
        const text = await response.text().catch(() => '')
        watchdog.stop()
        lastError = new RuntimeHttpError({ status: response.status, url: this.url, body: text, attempts: attempt })
        if (response.status !== 429 && response.status < 500) throw lastError
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
      } catch (err) {
        watchdog.stop()
        if (signal?.aborted === true) throw signal.reason
        if (err instanceof RuntimeHttpError && err.status !== 429 && err.status < 500) throw err
        const timedOut = watchdog.reason()
        if (timedOut != null) lastError = timedOut
        else if (!(err instanceof RuntimeHttpError)) lastError = new RuntimeConnectionError(this.url, attempt, { cause: err })
      }
      if (attempt > this.maxRetries) throw lastError ?? new RuntimeConnectionError(this.url, attempt)
      const wait = Math.min(retryAfterMs ?? this.retryBaseMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS)
      log('attempt %d failed (%s); retrying in %d ms', attempt, lastError?.name, wait)
      try {
        await delay(wait, undefined, signal != null ? { signal } : {})
      } catch {
        throw signal?.reason
      }
    }
  }
}

export function openaiRuntime (init: OpenAiRuntimeInit): OpenAiRuntime {
  return new OpenAiRuntime(init)
}
