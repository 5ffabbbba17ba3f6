/** The OpenAI wire format as the `openai` runtime reads it, and its per-attempt timer. */
import { RuntimeProtocolError, RuntimeTimeoutError } from './errors.ts'
import type { FinishReason, Usage } from './types.ts'

export interface ChatChoiceJson { message?: { content?: unknown }, delta?: { content?: unknown }, finish_reason?: unknown }
export interface ChatJson { choices?: ChatChoiceJson[], usage?: { prompt_tokens?: unknown, completion_tokens?: unknown }, error?: { message?: unknown } }

/** An abort timer reset on progress: fires when nothing happened for `ms`. */
export class Watchdog {
  private readonly controller = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private readonly url: string
  private readonly ms: number

  constructor (url: string, ms: number) {
    this.url = url
    this.ms = ms
    this.reset()
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  reset (): void {
    clearTimeout(this.timer)
    if (this.controller.signal.aborted) return
    this.timer = setTimeout(() => { this.controller.abort(new RuntimeTimeoutError(this.url, this.ms)) }, this.ms)
    this.timer.unref()
  }

  stop (): void {
    clearTimeout(this.timer)
  }

  /** The timeout error when the watchdog fired. */
  reason (): RuntimeTimeoutError | undefined {
    return this.controller.signal.aborted ? this.controller.signal.reason as RuntimeTimeoutError : undefined
  }
}

export async function parseJson (text: string, url: string): Promise<ChatJson> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new RuntimeProtocolError(url, `answer is not JSON: ${text.slice(0, 120)}`, { cause: err })
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new RuntimeProtocolError(url, 'answer is not a JSON object')
  return value as ChatJson
}

export function readUsage (u: ChatJson['usage']): Usage {
  const n = (v: unknown): number => typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0
  return { inputTokens: n(u?.prompt_tokens), outputTokens: n(u?.completion_tokens) }
}

export function mapFinish (reason: unknown): FinishReason {
  return reason === 'length' ? 'length' : 'stop'
}

export function parseRetryAfter (header: string | null): number | undefined {
  if (header == null) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
