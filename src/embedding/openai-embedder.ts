/**
 * Optional embedder for any OpenAI-compatible `/v1/embeddings` endpoint (Ollama, llama-server,
 * vLLM, a hosted API). Vectors are re-normalised locally. Timeouts, retries on 429/5xx and
 * cancellation are built in.
 */
import { logger } from '@libp2p/logger'
import { EmbeddingFailedError, InvalidEmbedderOptionsError } from './errors.ts'
import { ModelEmbedder } from './model-embedder.ts'
import { normalize } from './vectors.ts'
import type { EmbedOptions, EmbedResult } from './types.ts'

const log = logger('baobab:embedding:openai')

export interface OpenAIEmbedderInit {
  /** Base URL including `/v1`, e.g. http://127.0.0.1:11434/v1 */
  baseUrl: string
  model: string
  /** Vector length; `OpenAIEmbedder.connect` asks the server when it is not given. */
  dims: number
  apiKey?: string
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number
  /** Retries after 429/5xx/network errors (default 2), with `retryDelayMs` × attempt between. */
  retries?: number
  retryDelayMs?: number
  /** Texts per request (default 64). */
  batchSize?: number
}

interface EmbeddingResponse { data?: Array<{ index?: number, embedding?: unknown }> }

export class OpenAIEmbedder extends ModelEmbedder {
  private readonly url: string
  private readonly init: Required<Omit<OpenAIEmbedderInit, 'apiKey'>> & { apiKey?: string }

  constructor (init: OpenAIEmbedderInit) {
    let url: URL
    try {
      url = new URL(init.baseUrl.replace(/\/+$/, '') + '/embeddings')
    } catch (err) {
      throw new InvalidEmbedderOptionsError('baseUrl', `baseUrl is not a URL: ${init.baseUrl}`, { cause: err })
    }
    if (typeof init.model !== 'string' || init.model === '') throw new InvalidEmbedderOptionsError('model', 'model is required')
    if (!Number.isInteger(init.dims) || init.dims <= 0) throw new InvalidEmbedderOptionsError('dims', 'dims must be a positive integer')
    super({ provider: 'openai-compatible', modelId: init.model, dims: init.dims, id: `openai:${url.host}${url.pathname}:${init.model}:${init.dims}` })
    this.url = url.toString()
    this.init = { timeoutMs: 30_000, retries: 2, retryDelayMs: 250, batchSize: 64, ...init }
  }

  /** Creates the embedder, asking the server for the vector length when `dims` is not given. */
  static async connect (init: Omit<OpenAIEmbedderInit, 'dims'> & { dims?: number }, options: { signal?: AbortSignal } = {}): Promise<OpenAIEmbedder> {
    if (init.dims != null) return new OpenAIEmbedder({ ...init, dims: init.dims })
    const probe = new OpenAIEmbedder({ ...init, dims: 1 })
    const [v] = await probe.request(['dimension probe'], options.signal, false)
    return new OpenAIEmbedder({ ...init, dims: v!.length })
  }

  async doEmbed (options: EmbedOptions): Promise<EmbedResult> {
    options.signal?.throwIfAborted()
    const embeddings: Float32Array[] = []
    for (let i = 0; i < options.values.length; i += this.init.batchSize) {
      embeddings.push(...await this.request(options.values.slice(i, i + this.init.batchSize), options.signal, true))
    }
    return { embeddings }
  }

  private async request (values: string[], signal: AbortSignal | undefined, checkDims: boolean): Promise<Float32Array[]> {
    let lastError: unknown
    for (let attempt = 0; attempt <= this.init.retries; attempt++) {
      signal?.throwIfAborted()
      if (attempt > 0) await delay(this.init.retryDelayMs * attempt, signal)
      const timeout = AbortSignal.timeout(this.init.timeoutMs)
      const combined = signal == null ? timeout : AbortSignal.any([signal, timeout])
      let res: Response
      try {
        res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.init.apiKey == null ? {} : { authorization: `Bearer ${this.init.apiKey}` }) },
          body: JSON.stringify({ model: this.init.model, input: values, encoding_format: 'float' }),
          signal: combined
        })
      } catch (err) {
        if (signal?.aborted === true) throw signal.reason
        lastError = err
        log('request to %s failed (attempt %d): %s', this.url, attempt + 1, (err as Error).message)
        continue
      }
      if (res.status === 429 || res.status >= 500) {
        lastError = new EmbeddingFailedError(this.id, `${this.url} answered ${res.status}`, res.status)
        await res.body?.cancel()
        continue
      }
      if (!res.ok) {
        const text = (await res.text()).slice(0, 200)
        throw new EmbeddingFailedError(this.id, `${this.url} answered ${res.status}: ${text}`, res.status)
      }
      return this.parse(await res.json() as EmbeddingResponse, values.length, checkDims)
    }
    const reason = `${this.url} failed after ${this.init.retries + 1} attempts: ${(lastError as Error)?.message ?? 'unknown error'}`
    throw new EmbeddingFailedError(this.id, reason, undefined, { cause: lastError })
  }

  private parse (body: EmbeddingResponse, n: number, checkDims: boolean): Float32Array[] {
    const data = body?.data
    if (!Array.isArray(data) || data.length !== n) {
      throw new EmbeddingFailedError(this.id, `expected ${n} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`)
    }
    const out: Float32Array[] = new Array<Float32Array>(n)
    data.forEach((item, i) => {
      const index = typeof item?.index === 'number' ? item.index : i
      const e = item?.embedding
      if (!Array.isArray(e) || e.some(x => typeof x !== 'number' || !Number.isFinite(x)) || index < 0 || index >= n) {
        throw new EmbeddingFailedError(this.id, `embedding ${i} is not an array of finite numbers`)
      }
      if (checkDims && e.length !== this.dims) {
        throw new EmbeddingFailedError(this.id, `embedding has ${e.length} dims, expected ${this.dims}`)
      }
      out[index] = normalize(Float32Array.from(e as number[]))
    })
    for (let i = 0; i < n; i++) {
      if (out[i] == null) throw new EmbeddingFailedError(this.id, 'duplicate embedding indices')
    }
    return out
  }
}

async function delay (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(timer); reject(signal!.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export function openaiEmbedder (init: OpenAIEmbedderInit): OpenAIEmbedder {
  return new OpenAIEmbedder(init)
}
