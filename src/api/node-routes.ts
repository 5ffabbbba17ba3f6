/**
 * The node API under `/api`: status, peers, library, experts, route, ask, experiences,
 * outcomes, trust and sync. Thin: validate, call `NodeServices`, return JSON.
 */
import { Hono } from 'hono'
import { collectAnswer } from './answer.ts'
import { parseWith, readBody, readJson } from './body.ts'
import { requestSignal } from './context.ts'
import { InvalidRequestError } from './errors.ts'
import { eventStream } from './events.ts'
import { baobabExtra, checkPromptLength } from './openai-routes.ts'
import { addRequest, askRequest, cidParam, experienceQuery, experienceSearch, libraryQuery, outcomeQuery, reasonRequest, routeRequest } from './schemas.ts'
import { sseResponse } from './sse.ts'
import type { RouteDeps } from './context.ts'
import type { SseMessage } from './sse.ts'
import type { AskInput, AskStream, ChatMessage, OutcomeQuery, StreamPart } from './types.ts'
import type { Context } from 'hono'

export function nodeRoutes ({ services, limits }: RouteDeps): Hono {
  const app = new Hono()
  const signal = (c: Context): AbortSignal => requestSignal(c, limits.requestTimeoutMs)
  const query = (c: Context): Record<string, string> => c.req.query()
  const cid = (c: Context): string => parseWith(cidParam, c.req.param('cid'))
  const json = async (c: Context): Promise<unknown> => readJson(c.req.raw, limits.maxBodyBytes)
  /** Optional JSON body: empty means `{}`. */
  const optionalJson = async (c: Context): Promise<unknown> => readJson(c.req.raw, limits.maxBodyBytes, { emptyAs: {} })

  app.get('/status', async (c) => c.json(await services.status({ signal: signal(c) })))
  app.get('/peers', async (c) => c.json(await services.peers({ signal: signal(c) })))
  app.get('/experts', async (c) => c.json(await services.experts({ signal: signal(c) })))

  app.get('/library', async (c) => c.json(await services.library.list(parseWith(libraryQuery, query(c)), { signal: signal(c) })))
  app.get('/library/:cid', async (c) => c.json(await services.library.show(cid(c), { signal: signal(c) })))
  app.delete('/library/:cid', async (c) => {
    const id = cid(c)
    await services.library.remove(id, { signal: signal(c) })
    return c.json({ removed: id })
  })
  app.post('/library', async (c) => {
    // Raw artifact bytes (application/octet-stream, application/cbor) or JSON {bytes: base64}.
    const type = c.req.header('content-type') ?? ''
    const bytes = /json/i.test(type)
      ? Buffer.from(parseWith(addRequest, await json(c)).bytes, 'base64')
      : await readBody(c.req.raw, limits.maxBodyBytes)
    if (bytes.byteLength === 0) throw new InvalidRequestError('empty artifact: send the encoded artifact bytes', 'bytes')
    const r = await services.library.add(new Uint8Array(bytes), { signal: signal(c) })
    return c.json(r, r.inserted ? 201 : 200)
  })

  app.post('/route', async (c) => {
    const req = parseWith(routeRequest, await json(c))
    checkPromptLength([{ role: 'user', content: req.question }], limits.maxPromptChars)
    const opts: { signal: AbortSignal, expert?: string } = { signal: signal(c) }
    if (req.expert != null) opts.expert = req.expert
    return c.json(await services.route(req.question, opts))
  })

  app.post('/ask', async (c) => {
    const req = parseWith(askRequest, await json(c))
    const messages: ChatMessage[] = req.messages != null
      ? req.messages.map(m => ({ role: m.role === 'developer' ? 'system' : m.role, content: m.content }))
      : [{ role: 'user', content: req.question ?? '' }]
    checkPromptLength(messages, limits.maxPromptChars)
    const input: AskInput = { messages }
    if (req.expert != null) input.expert = req.expert
    if (req.maxTokens != null) input.maxTokens = req.maxTokens
    if (req.temperature != null) input.temperature = req.temperature
    if (req.seed != null) input.seed = req.seed
    const sig = signal(c)
    const answer = await services.ask(input, { signal: sig })
    if (req.stream === true) {
      const reader = answer.parts.getReader()
      return sseResponse(askEvents(answer, reader), { errorEvent: 'error', onCancel: () => { reader.cancel().catch(() => {}) } })
    }
    const r = await collectAnswer(answer, sig)
    return c.json({ ...r, baobab: baobabExtra(r) })
  })

  app.get('/experiences', async (c) => c.json(await services.experiences.list(parseWith(experienceQuery, query(c)), { signal: signal(c) })))
  app.get('/experiences/search', async (c) => {
    const q = parseWith(experienceSearch, query(c))
    const opts: { signal: AbortSignal, limit?: number } = { signal: signal(c) }
    if (q.limit != null) opts.limit = q.limit
    return c.json(await services.experiences.search(q.q, opts))
  })

  const outcome = (c: Context): OutcomeQuery => {
    const q = parseWith(outcomeQuery, query(c))
    const out: OutcomeQuery = { task: q.task }
    if (q.family != null && q.family !== '') out.family = q.family
    if (q.tags != null) out.tags = q.tags
    if (q.limit != null) out.limit = q.limit
    return out
  }
  app.get('/outcomes', async (c) => c.json(await services.outcomes.query(outcome(c), { signal: signal(c) })))
  app.get('/outcomes/recommend', async (c) => c.json(await services.outcomes.recommend(outcome(c), { signal: signal(c) })))

  app.get('/trust/quarantine', async (c) => c.json(await services.trust.quarantine({ signal: signal(c) })))
  for (const verdict of ['approve', 'reject'] as const) {
    app.post(`/trust/:cid/${verdict}`, async (c) => {
      const id = cid(c)
      const body = parseWith(reasonRequest, await optionalJson(c))
      const opts: { signal: AbortSignal, reason?: string } = { signal: signal(c) }
      if (body.reason != null) opts.reason = body.reason
      return c.json(await services.trust[verdict](id, opts))
    })
  }

  app.post('/sync', async (c) => c.json(await services.syncNow({ signal: signal(c) })))
  app.get('/events', () => eventStream(services))

  return app
}

/** `/api/ask` streaming: `route` first, then `delta` events, then `finish`. */
async function * askEvents (answer: AskStream, reader: ReadableStreamDefaultReader<StreamPart>): AsyncGenerator<SseMessage, void, void> {
  try {
    yield { event: 'route', data: { ...answer.route, model: answer.model } }
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (value.type === 'text-delta') yield { event: 'delta', data: { text: value.delta } }
      else if (value.type === 'error') throw value.error
      else if (value.type === 'finish') yield { event: 'finish', data: { finishReason: value.finishReason, usage: value.usage, warnings: value.warnings ?? [], retrieved: value.retrieved === true } }
    }
  } finally {
    reader.releaseLock()
  }
}
