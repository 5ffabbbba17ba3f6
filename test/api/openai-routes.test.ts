/** /v1 in process (app.request): models, routed and forced chat completions, streaming, embeddings. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createApi } from '../../src/api/index.ts'
import { NO_EXPERT_TEXT } from '../../src/runtime/retrieval-runtime.ts'
import { demoNode } from './fixtures/demo-services.ts'
import { parseSse } from './fixtures/sse.ts'
import type { BaobabExtra } from '../../src/api/openai-routes.ts'
import type { DemoNode } from './fixtures/demo-services.ts'
import type OpenAI from 'openai'
import type { Hono } from 'hono'

type Completion = OpenAI.ChatCompletion & { baobab: BaobabExtra & { retrieved: boolean } }
type Chunk = OpenAI.ChatCompletionChunk & { baobab?: BaobabExtra, usage?: OpenAI.CompletionUsage }

const COW = 'My cow has a hot swollen udder and clotted milk. What is it?'

describe('OpenAI-compatible /v1', () => {
  let node: DemoNode
  let app: Hono
  before(async () => {
    node = await demoNode()
    app = createApi(node.services)
  })
  after(async () => { await node.close() })

  const post = async (path: string, body: unknown): Promise<Response> =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('lists baobab/auto and every trusted expert, not quarantined ones', async () => {
    const res = await app.request('/v1/models')
    assert.equal(res.status, 200)
    const body = await res.json() as { object: string, data: Array<{ id: string, domain?: string }> }
    assert.equal(body.object, 'list')
    const ids = body.data.map(m => m.id)
    assert.deepEqual(ids, ['baobab/auto', 'baobab/agronomy', 'baobab/aquaculture', 'baobab/irrigation', 'baobab/soil-science', 'baobab/veterinary'])
    assert.ok(!ids.includes('baobab/beekeeping'))
  })

  it('routes baobab/auto to the right expert and reports it in the baobab object', async () => {
    const res = await post('/v1/chat/completions', { model: 'baobab/auto', messages: [{ role: 'user', content: COW }] })
    assert.equal(res.status, 200)
    const body = await res.json() as Completion
    assert.equal(body.object, 'chat.completion')
    assert.equal(body.model, 'baobab/auto')
    assert.match(body.choices[0]!.message.content ?? '', /mastitis/)
    assert.equal(body.choices[0]!.finish_reason, 'stop')
    assert.deepEqual(body.baobab.expert, { name: 'veterinary', domain: 'veterinary' })
    assert.equal(body.baobab.abstained, false)
    assert.equal(body.baobab.scores.length, 5)
    assert.equal(body.baobab.scores[0]!.name, 'veterinary')
    assert.ok(body.baobab.experiences.some((e: { text: string }) => /mastitis/.test(e.text)), 'the veterinary experience was used')
    assert.ok(body.usage!.completion_tokens > 0)
    assert.equal(body.usage!.total_tokens, body.usage!.prompt_tokens + body.usage!.completion_tokens)
  })

  it('baobab/<expert> forces that expert', async () => {
    const res = await post('/v1/chat/completions', { model: 'baobab/agronomy', messages: [{ role: 'user', content: COW }] })
    const body = await res.json() as Completion
    assert.equal(body.baobab.expert?.name, 'agronomy')
    assert.equal(body.baobab.forced, true)
    assert.match(body.choices[0]!.message.content ?? '', /retrieved from agronomy/)
  })

  it('abstains on a question no expert covers', async () => {
    const res = await post('/v1/chat/completions', { model: 'baobab/auto', messages: [{ role: 'user', content: 'What is the capital of France?' }] })
    const body = await res.json() as Completion
    assert.equal(body.baobab.expert, null)
    assert.equal(body.baobab.abstained, true)
    assert.equal(body.choices[0]!.message.content, NO_EXPERT_TEXT)
  })

  it('streams SSE chunks whose text equals the non-streamed answer', async () => {
    const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: COW }]
    const plain = await (await post('/v1/chat/completions', { model: 'baobab/auto', messages })).json() as Completion
    const res = await post('/v1/chat/completions', { model: 'baobab/auto', messages, stream: true })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
    const events = parseSse(await res.text())
    assert.equal(events.at(-1)?.data, '[DONE]')
    const chunks = events.slice(0, -1).map(e => JSON.parse(e.data) as Chunk)
    assert.ok(chunks.every(c => c.object === 'chat.completion.chunk'))
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant')
    assert.equal(chunks[0]!.baobab?.expert?.name, 'veterinary')
    const text = chunks.map(c => c.choices[0]!.delta.content ?? '').join('')
    assert.equal(text, plain.choices[0]!.message.content)
    const last = chunks.at(-1)!
    assert.equal(last.choices[0]!.finish_reason, 'stop')
    assert.ok(last.usage!.completion_tokens > 0)
  })

  it('honours max_tokens with finish_reason length', async () => {
    const res = await post('/v1/chat/completions', { model: 'baobab/auto', messages: [{ role: 'user', content: COW }], max_tokens: 3 })
    const body = await res.json() as Completion
    assert.equal(body.choices[0]!.finish_reason, 'length')
    assert.equal(body.usage!.completion_tokens, 3)
  })

  it('accepts OpenAI content parts and unknown extra fields', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'baobab/auto', user: 'x', top_p: 1, stream_options: { include_usage: true },
      messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: COW }] }]
    })
    assert.equal(res.status, 200)
    const body = await res.json() as Completion
    assert.equal(body.baobab.expert?.name, 'veterinary')
  })

  it('embeds with the configured embedder, projected to 384 dense dimensions (float and base64)', async () => {
    const res = await post('/v1/embeddings', { model: 'any', input: ['maize planting', 'goat deworming'] })
    assert.equal(res.status, 200)
    const body = await res.json() as { data: Array<{ index: number, embedding: number[] }>, model: string, usage: { prompt_tokens: number, total_tokens: number } }
    assert.equal(body.data.length, 2)
    const status = await (await app.request('/api/status')).json() as { embedder: { id: string, dims: number } }
    assert.equal(body.model, `${status.embedder.id}+dense-projection@1`)
    assert.match(body.model, /^builtin:hash-ngram/)
    assert.deepEqual(body.usage, { prompt_tokens: 4, total_tokens: 4 })
    for (const d of body.data) {
      assert.equal(d.embedding.length, 384)
      assert.ok(d.embedding.filter(x => x !== 0).length > 300, 'dense')
      assert.ok(Math.abs(Math.hypot(...d.embedding) - 1) < 1e-5)
    }
    assert.notDeepEqual(body.data[0]!.embedding, body.data[1]!.embedding)
    const b64 = await (await post('/v1/embeddings', { input: 'maize planting', encoding_format: 'base64' })).json() as { data: Array<{ embedding: string }> }
    const floats = new Float32Array(new Uint8Array(Buffer.from(b64.data[0]!.embedding, 'base64')).buffer)
    assert.deepEqual(Array.from(floats), body.data[0]!.embedding)
  })
})
