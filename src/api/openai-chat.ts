/**
 * The OpenAI chat wire format on the node's side: request messages (every role, tool calls and
 * results) into `ChatMessage`s, the generation fields into `AskInput`, and an answer back into a
 * `chat.completion` object or `chat.completion.chunk` frames (text, `tool_calls`, `baobab`).
 */
import { randomBytes } from 'node:crypto'
import type { z } from 'zod'
import type { chatRequest, completionRequest, wireMessage } from './schemas.ts'
import type { SseMessage } from './sse.ts'
import { UnknownModelError } from './errors.ts'
import { PromptTooLongError } from '../runtime/index.ts'
import type { AskInput, AskResult, AskStream, ChatMessage, NodeServices, RouteExplanation, StreamPart, ToolCall } from './types.ts'
import type { FinishReason } from '../runtime/index.ts'

export const AUTO_MODEL = 'baobab/auto'
export const MODEL_PREFIX = 'baobab/'

/** `baobab/auto` → undefined (route); `baobab/<name>` → that expert, which must exist. */
export async function resolveModel (services: NodeServices, model: string, signal: AbortSignal): Promise<string | undefined> {
  const name = model.startsWith(MODEL_PREFIX) ? model.slice(MODEL_PREFIX.length) : model
  if (name === 'auto') return undefined
  const experts = await services.experts({ signal })
  if (!experts.some(e => e.name === name)) throw new UnknownModelError(model)
  return name
}

export function checkPromptLength (messages: ChatMessage[], limit: number): void {
  const length = messages.reduce((n, m) => n + m.content.length, 0)
  if (length > limit) throw new PromptTooLongError(length, limit, 'characters')
}

/** The `baobab` object added to chat completions. */
export interface BaobabExtra {
  expert: { name: string, domain: string } | null
  abstained: boolean
  forced: boolean
  scores: RouteExplanation['scores']
  threshold: number | null
  reason: string
  topExemplars: RouteExplanation['topExemplars']
  experiences: RouteExplanation['experiences']
  /** Indices of the user turns (in `messages`) that decided the route, the last turn first. */
  turns: number[]
  runtime: string
}

export function baobabExtra (a: { route: RouteExplanation, model: string }): BaobabExtra {
  const r = a.route
  return {
    expert: r.expert,
    abstained: r.abstained,
    forced: r.forced,
    scores: r.scores,
    threshold: r.threshold,
    reason: r.reason,
    topExemplars: r.topExemplars,
    experiences: r.experiences,
    turns: r.turns ?? [],
    runtime: a.model
  }
}

export const OPENAI_FINISH: Record<FinishReason, 'stop' | 'length' | 'tool_calls'> = { stop: 'stop', length: 'length', 'tool-calls': 'tool_calls', abort: 'stop', error: 'stop' }

export function completionId (prefix = 'chatcmpl'): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`
}

type WireMessage = z.output<typeof wireMessage>

/** Request messages as the runtimes read them: `developer` → system, `function` → tool. */
export function toMessages (wire: WireMessage[]): ChatMessage[] {
  return wire.map((m): ChatMessage => {
    if (m.role === 'tool' || m.role === 'function') {
      return { role: 'tool', content: m.content, ...(m.tool_call_id != null ? { toolCallId: m.tool_call_id } : {}), ...(m.name != null ? { name: m.name } : {}) }
    }
    if (m.role === 'assistant') {
      const calls: ToolCall[] = (m.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${i}`, name: c.function.name, arguments: c.function.arguments ?? '{}' }))
      if (m.function_call != null) calls.push({ id: m.function_call.name, name: m.function_call.name, arguments: m.function_call.arguments ?? '{}' })
      return { role: 'assistant', content: m.content, ...(calls.length > 0 ? { toolCalls: calls } : {}) }
    }
    return { role: m.role === 'developer' ? 'system' : m.role, content: m.content }
  })
}

/** The generation fields shared by chat and text completions. */
export function generationInput (
  req: z.output<typeof completionRequest> | z.output<typeof chatRequest>,
  messages: ChatMessage[],
  expert: string | undefined
): AskInput {
  const input: AskInput = { messages }
  if (expert != null) input.expert = expert
  const maxTokens = req.max_completion_tokens ?? req.max_tokens
  if (maxTokens != null) input.maxTokens = maxTokens
  if (req.temperature != null) input.temperature = req.temperature
  if (req.seed != null) input.seed = req.seed
  if (req.stop != null) input.stop = req.stop
  return input
}

/** Tools, `tool_choice` (or legacy `functions`) and `response_format` of a chat request. */
export function chatInput (req: z.output<typeof chatRequest>, messages: ChatMessage[], expert: string | undefined): AskInput {
  const input = generationInput(req, messages, expert)
  const tools = req.tools?.map(t => t.function) ?? req.functions ?? []
  if (tools.length > 0) {
    input.tools = tools.map(f => ({
      name: f.name,
      ...(f.description != null ? { description: f.description } : {}),
      ...(f.parameters != null ? { parameters: f.parameters } : {})
    }))
  }
  const choice = req.tool_choice
  if (choice != null) input.toolChoice = typeof choice === 'string' ? choice : { name: choice.function.name }
  const f = req.response_format
  if (f?.type === 'json_schema' && 'json_schema' in f) {
    const js = f.json_schema as { name?: string, schema?: Record<string, unknown>, strict?: boolean | null }
    input.responseFormat = { type: 'json_schema', schema: js.schema ?? { type: 'object' }, ...(js.name != null ? { name: js.name } : {}), ...(js.strict != null ? { strict: js.strict } : {}) }
  } else if (f?.type === 'json_object') input.responseFormat = { type: 'json_object' }
  return input
}

export function wireToolCalls (calls: ToolCall[]): Array<{ id: string, type: 'function', function: { name: string, arguments: string } }> {
  return calls.map(c => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }))
}

export function usageJson (u: { inputTokens: number, outputTokens: number }): { prompt_tokens: number, completion_tokens: number, total_tokens: number } {
  return { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens }
}

export function chatCompletionJson (r: AskResult, id: string, created: number, model: string): Record<string, unknown> {
  const calls = r.toolCalls
  const message = calls.length > 0
    ? { role: 'assistant', content: r.text === '' ? null : r.text, tool_calls: wireToolCalls(calls), refusal: null }
    : { role: 'assistant', content: r.text, refusal: null }
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    system_fingerprint: r.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: OPENAI_FINISH[r.finishReason] }],
    usage: usageJson(r.usage),
    baobab: { ...baobabExtra(r), warnings: r.warnings, retrieved: r.retrieved }
  }
}

/** OpenAI `chat.completion.chunk` frames; the first and last carry the `baobab` object. */
export async function * chatChunks (
  answer: AskStream, reader: ReadableStreamDefaultReader<StreamPart>, id: string, created: number, model: string
): AsyncGenerator<SseMessage, void, void> {
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): SseMessage =>
    ({ data: { id, object: 'chat.completion.chunk', created, model, system_fingerprint: answer.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra } })
  let calls = 0
  try {
    yield chunk({ role: 'assistant', content: '' }, null, { baobab: baobabExtra(answer) })
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (value.type === 'text-delta' && value.delta !== '') yield chunk({ content: value.delta }, null)
      else if (value.type === 'tool-call') yield chunk({ tool_calls: [{ index: calls++, ...wireToolCalls([value.toolCall])[0] }] }, null)
      else if (value.type === 'error') throw value.error
      else if (value.type === 'finish') {
        yield chunk({}, OPENAI_FINISH[value.finishReason], {
          usage: usageJson(value.usage),
          baobab: { ...baobabExtra(answer), warnings: value.warnings ?? [], retrieved: value.retrieved === true }
        })
      }
    }
    yield { data: '[DONE]' }
  } finally {
    reader.releaseLock()
  }
}
