/**
 * `POST /v1/completions` (legacy text completions, what editor autocomplete calls): the prompt is
 * one user turn, routed and answered like a chat message; streaming sends `text_completion`
 * chunks. `baobab` carries the routing decision as on chat completions.
 */
import { Hono } from 'hono'
import { collectAnswer } from './answer.ts'
import { parseWith, readJson } from './body.ts'
import { requestSignal } from './context.ts'
import { baobabExtra, checkPromptLength, completionId, generationInput, OPENAI_FINISH, resolveModel, usageJson } from './openai-chat.ts'
import { completionRequest } from './schemas.ts'
import { sseResponse } from './sse.ts'
import type { RouteDeps } from './context.ts'
import type { SseMessage } from './sse.ts'
import type { AskStream, ChatMessage, StreamPart } from './types.ts'

export function completionRoutes ({ services, limits }: RouteDeps): Hono {
  const app = new Hono()
  app.post('/', async (c) => {
    const req = parseWith(completionRequest, await readJson(c.req.raw, limits.maxBodyBytes))
    const messages: ChatMessage[] = [{ role: 'user', content: req.prompt }]
    checkPromptLength(messages, limits.maxPromptChars)
    const signal = requestSignal(c, limits.requestTimeoutMs)
    const expert = await resolveModel(services, req.model, signal)
    const answer = await services.ask(generationInput(req, messages, expert), { signal })
    const id = completionId('cmpl')
    const created = Math.floor(Date.now() / 1000)
    if (req.stream === true) {
      const reader = answer.parts.getReader()
      return sseResponse(textChunks(answer, reader, id, created, req.model), { onCancel: () => { reader.cancel().catch(() => {}) } })
    }
    const r = await collectAnswer(answer, signal)
    return c.json({
      id,
      object: 'text_completion',
      created,
      model: req.model,
      system_fingerprint: r.model,
      choices: [{ index: 0, text: r.text, logprobs: null, finish_reason: OPENAI_FINISH[r.finishReason] }],
      usage: usageJson(r.usage),
      baobab: { ...baobabExtra(r), warnings: r.warnings, retrieved: r.retrieved }
    })
  })
  return app
}

async function * textChunks (
  answer: AskStream, reader: ReadableStreamDefaultReader<StreamPart>, id: string, created: number, model: string
): AsyncGenerator<SseMessage, void, void> {
  const chunk = (text: string, finish: string | null, extra: Record<string, unknown> = {}): SseMessage =>
    ({ data: { id, object: 'text_completion', created, model, system_fingerprint: answer.model, choices: [{ index: 0, text, logprobs: null, finish_reason: finish }], ...extra } })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (value.type === 'text-delta' && value.delta !== '') yield chunk(value.delta, null)
      else if (value.type === 'error') throw value.error
      else if (value.type === 'finish') {
        yield chunk('', OPENAI_FINISH[value.finishReason], {
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
