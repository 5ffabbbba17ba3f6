/**
 * OpenAI-compatible endpoints: `GET /v1/models`, `GET /v1/models/{id}`, `POST /v1/chat/completions`
 * and `POST /v1/completions` (streaming and not) and `POST /v1/embeddings`. `baobab/auto` routes
 * each request; `baobab/<expert>` forces one. Every answer carries an extra `baobab` object with
 * the routing decision (openai-chat.ts has the wire format).
 */
import { Hono } from 'hono'
import { denseDims, denseVector, DENSE_PROJECTION_ID, MAX_DENSE_DIMS } from '../embedding/index.ts'
import { countWords } from '../runtime/index.ts'
import { collectAnswer } from './answer.ts'
import { parseWith, readJson } from './body.ts'
import { requestSignal } from './context.ts'
import { UnknownModelError } from './errors.ts'
import { AUTO_MODEL, chatChunks, chatCompletionJson, chatInput, checkPromptLength, completionId, MODEL_PREFIX, resolveModel, toMessages } from './openai-chat.ts'
import { completionRoutes } from './openai-completions.ts'
import { chatRequest, embeddingsRequest } from './schemas.ts'
import { sseResponse } from './sse.ts'
import type { RouteDeps } from './context.ts'
import type { ExpertInfo } from './types.ts'

export { AUTO_MODEL, baobabExtra, checkPromptLength, resolveModel } from './openai-chat.ts'
export type { BaobabExtra } from './openai-chat.ts'

function autoModel (created: number): Record<string, unknown> {
  return { id: AUTO_MODEL, object: 'model', created, owned_by: 'baobab', description: 'routes each request to the best expert, or abstains' }
}

function expertModel (e: ExpertInfo): Record<string, unknown> {
  return { id: MODEL_PREFIX + e.name, object: 'model', created: Math.floor(e.created / 1000), owned_by: 'baobab', domain: e.domain, cid: e.cid, description: e.description }
}

export function openaiRoutes (deps: RouteDeps): Hono {
  const { services, limits } = deps
  const app = new Hono()

  app.get('/models', async (c) => {
    const experts = await services.experts({ signal: requestSignal(c, limits.requestTimeoutMs) })
    return c.json({ object: 'list', data: [autoModel(Math.floor(Date.now() / 1000)), ...experts.map(expertModel)] })
  })

  // Model ids contain a slash (`baobab/auto`), so the id is the rest of the path.
  app.get('/models/:id{.+}', async (c) => {
    const id = c.req.param('id')
    if (id === AUTO_MODEL) return c.json(autoModel(Math.floor(Date.now() / 1000)))
    const experts = await services.experts({ signal: requestSignal(c, limits.requestTimeoutMs) })
    const e = experts.find(x => MODEL_PREFIX + x.name === id)
    if (e == null) throw new UnknownModelError(id)
    return c.json(expertModel(e))
  })

  app.post('/chat/completions', async (c) => {
    const req = parseWith(chatRequest, await readJson(c.req.raw, limits.maxBodyBytes))
    const messages = toMessages(req.messages)
    checkPromptLength(messages, limits.maxPromptChars)
    const signal = requestSignal(c, limits.requestTimeoutMs)
    const expert = await resolveModel(services, req.model, signal)
    const answer = await services.ask(chatInput(req, messages, expert), { signal })
    const id = completionId()
    const created = Math.floor(Date.now() / 1000)
    if (req.stream === true) {
      const reader = answer.parts.getReader()
      return sseResponse(chatChunks(answer, reader, id, created, req.model), { onCancel: () => { reader.cancel().catch(() => {}) } })
    }
    return c.json(chatCompletionJson(await collectAnswer(answer, signal), id, created, req.model))
  })

  app.route('/completions', completionRoutes(deps))

  app.post('/embeddings', async (c) => {
    const req = parseWith(embeddingsRequest, await readJson(c.req.raw, limits.maxBodyBytes))
    const texts = typeof req.input === 'string' ? [req.input] : req.input
    checkPromptLength(texts.map(t => ({ role: 'user', content: t })), limits.maxPromptChars)
    const r = await services.embed(texts, { signal: requestSignal(c, limits.requestTimeoutMs) })
    const projected = r.dims > MAX_DENSE_DIMS
    const tokens = texts.reduce((n, t) => n + countWords(t), 0)
    return c.json({
      object: 'list',
      model: projected ? `${r.model}+${DENSE_PROJECTION_ID}` : r.model,
      data: r.embeddings.map((e, index) => {
        const v = denseVector(e, req.dimensions)
        return { object: 'embedding', index, embedding: req.encoding_format === 'base64' ? Buffer.from(Float32Array.from(v).buffer).toString('base64') : v }
      }),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
      baobab: { dims: denseDims(r.dims, req.dimensions), sourceDims: r.dims, projection: projected ? DENSE_PROJECTION_ID : null }
    })
  })

  return app
}
