/** The OpenAI wire format as the `openai` runtime reads it, and its per-attempt timer. */
import { RuntimeProtocolError, RuntimeTimeoutError } from './errors.ts'
import type { ChatMessage, FinishReason, GenerateOptions, ToolCall, Usage } from './types.ts'

interface ToolCallJson { index?: unknown, id?: unknown, function?: { name?: unknown, arguments?: unknown } }
export interface ChatChoiceJson {
  message?: { content?: unknown, tool_calls?: unknown }
  delta?: { content?: unknown, tool_calls?: unknown }
  finish_reason?: unknown
}
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
  return reason === 'length' ? 'length' : reason === 'tool_calls' || reason === 'function_call' ? 'tool-calls' : 'stop'
}

/** Messages as OpenAI sends them: tool results and assistant tool calls in their wire fields. */
export function wireMessages (messages: ChatMessage[]): Array<Record<string, unknown>> {
  return messages.map(m => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content, ...(m.name != null ? { name: m.name } : {}) }
    if (m.role === 'assistant' && (m.toolCalls ?? []).length > 0) {
      return {
        role: 'assistant',
        content: m.content === '' ? null : m.content,
        tool_calls: (m.toolCalls ?? []).map(c => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }))
      }
    }
    return { role: m.role, content: m.content }
  })
}

/** The request fields for tools, `tool_choice`, `response_format` and `stop`, passed through. */
export function wireExtras (options: GenerateOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if ((options.tools ?? []).length > 0) {
    body.tools = (options.tools ?? []).map(t => ({ type: 'function', function: { name: t.name, ...(t.description != null ? { description: t.description } : {}), parameters: t.parameters ?? { type: 'object', properties: {} } } }))
  }
  const choice = options.toolChoice
  if (choice != null) body.tool_choice = typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } }
  const f = options.responseFormat
  if (f?.type === 'json_schema') body.response_format = { type: 'json_schema', json_schema: { name: f.name ?? 'response', schema: f.schema, ...(f.strict != null ? { strict: f.strict } : {}) } }
  else if (f != null) body.response_format = { type: f.type }
  if ((options.stop ?? []).length > 0) body.stop = options.stop
  return body
}

/** `choices[0].message.tool_calls` of a complete answer. */
export function readToolCalls (value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return []
  return (value as ToolCallJson[]).flatMap((c, i) => typeof c?.function?.name === 'string'
    ? [{ id: typeof c.id === 'string' ? c.id : `call_${i}`, name: c.function.name, arguments: typeof c.function.arguments === 'string' ? c.function.arguments : '{}' }]
    : [])
}

/** Joins streamed `delta.tool_calls` pieces (by `index`) into whole calls. */
export class ToolCallAccumulator {
  private readonly calls = new Map<number, { id: string, name: string, arguments: string }>()

  add (value: unknown): void {
    if (!Array.isArray(value)) return
    for (const c of value as ToolCallJson[]) {
      const index = typeof c?.index === 'number' ? c.index : this.calls.size
      const call = this.calls.get(index) ?? { id: `call_${index}`, name: '', arguments: '' }
      if (typeof c?.id === 'string') call.id = c.id
      if (typeof c?.function?.name === 'string') call.name += c.function.name
      if (typeof c?.function?.arguments === 'string') call.arguments += c.function.arguments
      this.calls.set(index, call)
    }
  }

  done (): ToolCall[] {
    return [...this.calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c).filter(c => c.name !== '')
  }
}

export function parseRetryAfter (header: string | null): number | undefined {
  if (header == null) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
