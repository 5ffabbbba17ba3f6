/**
 * OpenAI-compatible endpoints: `GET /v1/models`, `POST /v1/chat/completions` (streaming and
 * not) and `POST /v1/embeddings`. `baobab/auto` routes each request; `baobab/<expert>` forces
 * one. Every chat answer carries an extra `baobab` object with the routing decision.
 */
import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { collectAnswer } from './answer.ts'
import { parseWith, readJson } from './body.ts'
import { requestSignal } from './context.ts'
import { PromptTooLongError, UnknownModelError } from './errors.ts'
import { chatRequest, embeddingsRequest } from './schemas.ts'
import { sseResponse } from './sse.ts'
import type { RouteDeps } from './context.ts'
import type { SseMessage } from './sse.ts'
import type { AskInput, AskStream, ChatMessage, NodeServices, RouteExplanation, StreamPart } from './types.ts'

export const AUTO_MODEL = 'baobab/auto'
const PREFIX = 'baobab/'

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
    runtime: a.model
  }
}

/** `baobab/auto` → undefined (route); `baobab/<name>` → that expert, which must exist. */
export async function resolveModel (services: NodeServices, model: string, signal: AbortSignal): Promise<string | undefined> {
  const name = model.startsWith(PREFIX) ? model.slice(PREFIX.length) : model
  if (name === 'auto') return undefined
  const experts = await services.experts({ signal })
  if (!experts.some(e => e.name === name)) throw new UnknownModelError(model)
  return name
}

export function checkPromptLength (messages: ChatMessage[], limit: number): void {
  const length = messages.reduce((n, m) => n + m.content.length, 0)
  if (length > limit) throw new PromptTooLongError(length, limit)
}

function completionId (): string {
  return `chatcmpl-${randomBytes(12).toString('hex')}`
}

const OPENAI_FINISH = { stop: 'stop', length: 'length', abort: 'stop', error: 'stop' } as const

export function openaiRoutes ({ services, limits }: RouteDeps): Hono {
  const app = new Hono()

  app.get('/models', async (c) => {
    const experts = await services.experts({ signal: requestSignal(c, limits.requestTimeoutMs) })
    const created = Math.floor(Date.now() / 1000)
    return c.json({
      object: 'list',
      data: [
        { id: AUTO_MODEL, object: 'model', created, owned_by: 'baobab', description: 'routes each request to the best expert, or abstains' },
        ...experts.map(e => ({ id: PREFIX + e.name, object: 'model', created: Math.floor(e.created / 1000), owned_by: 'baobab', domain: e.domain, cid: e.cid, description: e.description }))
      ]
    })
  })

  app.post('/chat/completions', async (c) => {
    const req = parseWith(chatRequest, await readJson(c.req.raw, limits.maxBodyBytes))
    const messages: ChatMessage[] = req.messages.map(m => ({ role: m.role === 'developer' ? 'system' : m.role, content: m.content }))
    checkPromptLength(messages, limits.maxPromptChars)
    const signal = requestSignal(c, limits.requestTimeoutMs)
    const expert = await resolveModel(services, req.model, signal)
    const input: AskInput = { messages }
    if (expert != null) input.expert = expert
    const maxTokens = req.max_completion_tokens ?? req.max_tokens
    if (maxTokens != null) input.maxTokens = maxTokens
    if (req.temperature != null) input.temperature = req.temperature
    if (req.seed != null) input.seed = req.seed
    const answer = await services.ask(input, { signal })
    const id = completionId()
    const created = Math.floor(Date.now() / 1000)
    if (req.stream === true) {
      const reader = answer.parts.getReader()
      return sseResponse(chatChunks(answer, reader, id, created, req.model), { onCancel: () => { reader.cancel().catch(() => {}) } })
    }
    const r = await collectAnswer(answer, signal)
    return c.json({
      id,
      object: 'chat.completion',
      created,
      model: req.model,
      system_fingerprint: r.model,
      choices: [{ index: 0, message: { role: 'assistant', content: r.text, refusal: null }, logprobs: null, finish_reason: OPENAI_FINISH[r.finishReason] }],
      usage: { prompt_tokens: r.usage.inputTokens, completion_tokens: r.usage.outputTokens, total_tokens: r.usage.inputTokens + r.usage.outputTokens },
      baobab: { ...baobabExtra(r), warnings: r.warnings, retrieved: r.retrieved }
    })
  })

  app.post('/embeddings', async (c) => {
    const req = parseWith(embeddingsRequest, await readJson(c.req.raw, limits.maxBodyBytes))
    const texts = typeof req.input === 'string' ? [req.input] : req.input
    checkPromptLength(texts.map(t => ({ role: 'user', content: t })), limits.maxPromptChars)
    const r = await services.embed(texts, { signal: requestSignal(c, limits.requestTimeoutMs) })
    return c.json({
      object: 'list',
      model: r.model,
      data: r.embeddings.map((e, index) => ({
        object: 'embedding',
        index,
        embedding: req.encoding_format === 'base64' ? Buffer.from(Float32Array.from(e).buffer).toString('base64') : e
      })),
      usage: { prompt_tokens: texts.reduce((n, t) => n + t.split(/\s+/).filter(Boolean).length, 0), total_tokens: 0 }
    })
  })

  return app
}

/** OpenAI `chat.completion.chunk` frames; the first and last carry the `baobab` object. */
async function * chatChunks (answer: AskStream, reader: ReadableStreamDefaultReader<StreamPart>, id: string, created: number, model: string): AsyncGenerator<SseMessage, void, void> {
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): SseMessage =>
    ({ data: { id, object: 'chat.completion.chunk', created, model, system_fingerprint: answer.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra } })
  try {
    yield chunk({ role: 'assistant', content: '' }, null, { baobab: baobabExtra(answer) })
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (value.type === 'text-delta' && value.delta !== '') yield chunk({ content: value.delta }, null)
      else if (value.type === 'error') throw value.error
      else if (value.type === 'finish') {
        const u = value.usage
        yield chunk({}, OPENAI_FINISH[value.finishReason], {
          usage: { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens },
          baobab: { ...baobabExtra(answer), warnings: value.warnings ?? [], retrieved: value.retrieved === true }
        })
      }
    }
    yield { data: '[DONE]' }
  } finally {
    reader.releaseLock()
  }
}
