/** One real server on 127.0.0.1 exercised by the official `openai` npm client. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import OpenAI from 'openai'
import { createApi, serveApi } from '../../src/api/index.ts'
import { demoNode } from './fixtures/demo-services.ts'
import type { ServedApi } from '../../src/api/index.ts'
import type { BaobabExtra } from '../../src/api/openai-routes.ts'
import type { DemoNode } from './fixtures/demo-services.ts'

const TOKEN = 'test-token-0123456789abcdef'
const COW = 'My cow has a hot swollen udder and clotted milk. What is it?'

describe('openai client against a listening server', () => {
  let node: DemoNode
  let served: ServedApi
  let client: OpenAI
  before(async () => {
    node = await demoNode()
    served = await serveApi(createApi(node.services, { token: TOKEN }), { host: '127.0.0.1', port: 0 })
    client = new OpenAI({ baseURL: `${served.url}v1`, apiKey: TOKEN, maxRetries: 0 })
  })
  after(async () => {
    await served.close()
    await node.close()
  })

  it('lists models', async () => {
    const ids: string[] = []
    for await (const m of client.models.list()) ids.push(m.id)
    assert.ok(ids.includes('baobab/auto'))
    assert.ok(ids.includes('baobab/veterinary'))
  })

  it('non-streaming completion with a readable baobab object', async () => {
    const c = await client.chat.completions.create({ model: 'baobab/auto', messages: [{ role: 'user', content: COW }] })
    assert.match(c.choices[0]!.message.content ?? '', /mastitis/)
    const extra = (c as unknown as { baobab: BaobabExtra }).baobab
    assert.deepEqual(extra.expert, { name: 'veterinary', domain: 'veterinary' })
    assert.equal(extra.abstained, false)
    assert.equal(extra.scores[0]!.name, 'veterinary')
    assert.ok(extra.experiences.length > 0)
  })

  it('streaming completion: the deltas add up to the same answer, baobab on the first chunk', async () => {
    const plain = await client.chat.completions.create({ model: 'baobab/veterinary', messages: [{ role: 'user', content: COW }] })
    const stream = await client.chat.completions.create({ model: 'baobab/veterinary', messages: [{ role: 'user', content: COW }], stream: true })
    let text = ''
    let first: BaobabExtra | undefined
    let finish: string | null = null
    let n = 0
    for await (const chunk of stream) {
      n++
      first ??= (chunk as unknown as { baobab?: BaobabExtra }).baobab
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    assert.ok(n > 3, `many chunks (${n})`)
    assert.equal(text, plain.choices[0]!.message.content)
    assert.equal(first?.expert?.name, 'veterinary')
    assert.equal(first?.forced, true)
    assert.equal(finish, 'stop')
  })

  it('embeddings', async () => {
    const e = await client.embeddings.create({ model: 'baobab/auto', input: ['rain-fed maize', 'tilapia pond'] })
    assert.equal(e.data.length, 2)
    assert.equal(e.data[0]!.embedding.length, 384)
    assert.ok((await node.services.status()).embedder.dims > 1024, 'projected from the sparse embedder')
    assert.notDeepEqual(e.data[0]!.embedding, e.data[1]!.embedding)
  })

  it('unknown model → NotFoundError 404 with an OpenAI error body', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'baobab/astrology', messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError)
      assert.equal(err.status, 404)
      assert.equal(err.code, 'model_not_found')
      assert.match(err.message, /baobab\/astrology/)
      return true
    })
  })

  it('wrong token → AuthenticationError 401; the dashboard needs the token too', async () => {
    const bad = new OpenAI({ baseURL: `${served.url}v1`, apiKey: 'wrong-token-0123456789', maxRetries: 0 })
    await assert.rejects(bad.models.list(), (err: unknown) => err instanceof OpenAI.AuthenticationError && err.status === 401)
    assert.equal((await fetch(served.url)).status, 401)
    // The login link sets an HttpOnly cookie and drops the token from the URL.
    const login = await fetch(`${served.url}?token=${TOKEN}`, { redirect: 'manual' })
    assert.equal(login.status, 303)
    assert.equal(login.headers.get('location'), '/')
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/)
    const page = await fetch(served.url, { headers: { cookie } })
    assert.equal(page.status, 200)
  })
})
