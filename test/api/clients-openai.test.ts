/**
 * The official `openai` client against a real `baobab start --http` process (retrieval runtime,
 * the demo communities' cards): tool histories, stop, completions, models.retrieve, follow-up
 * routing, dense embeddings, and the honest 400 for JSON output the runtime cannot produce.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import OpenAI from 'openai'
import { startBaobabServer } from '../helpers/baobab-server.ts'
import type { BaobabExtra } from '../../src/api/openai-routes.ts'
import type { BaobabServer } from '../helpers/baobab-server.ts'

const COW = 'My cow has a hot swollen udder and clotted milk. What is it?'
const extra = (x: unknown): BaobabExtra & { warnings: string[] } => (x as { baobab: BaobabExtra & { warnings: string[] } }).baobab

describe('openai client against baobab start --http (retrieval runtime)', () => {
  let server: BaobabServer
  let client: OpenAI
  before(async () => {
    server = await startBaobabServer()
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 })
  })
  after(async () => { await server?.close() })

  it('a conversation with a tool call and its role:"tool" result gets 200 and a text answer', async () => {
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [{ type: 'function', function: { name: 'herd_record', description: 'Looks up an animal', parameters: { type: 'object', properties: { tag: { type: 'string' } }, required: ['tag'] } } }]
    const c = await client.chat.completions.create({
      model: 'baobab/auto',
      tools,
      tool_choice: 'auto',
      messages: [
        { role: 'user', content: COW },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'herd_record', arguments: '{"tag":"K-17"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"tag":"K-17","age":4,"calvings":2}' },
        { role: 'user', content: 'Given that record, what should I do about the udder?' }
      ]
    })
    const choice = c.choices[0]!
    assert.equal(choice.finish_reason, 'stop')
    assert.equal(choice.message.tool_calls, undefined, 'the retrieval runtime never invents a tool call')
    assert.match(choice.message.content ?? '', /mastitis/)
    assert.equal(extra(c).expert?.domain, 'veterinary')
    assert.ok(extra(c).warnings.some(w => /tools not called/.test(w)))
  })

  it('legacy function messages are accepted too', async () => {
    const c = await client.chat.completions.create({
      model: 'baobab/auto',
      messages: [
        { role: 'user', content: COW },
        { role: 'assistant', content: null, function_call: { name: 'herd_record', arguments: '{}' } },
        { role: 'function', name: 'herd_record', content: 'no record' }
      ]
    })
    assert.match(c.choices[0]!.message.content ?? '', /mastitis/)
  })

  it('stop: ["milk"] cuts the answer before the first "milk", streamed or not', async () => {
    const full = await client.chat.completions.create({ model: 'baobab/auto', messages: [{ role: 'user', content: COW }] })
    assert.match(full.choices[0]!.message.content ?? '', /milk/, 'the uncut answer has the word')
    const c = await client.chat.completions.create({ model: 'baobab/auto', messages: [{ role: 'user', content: COW }], stop: ['milk'] })
    const text = c.choices[0]!.message.content ?? ''
    assert.doesNotMatch(text, /milk/)
    assert.ok(text.length > 20 && full.choices[0]!.message.content!.startsWith(text.trimEnd()))
    assert.equal(c.choices[0]!.finish_reason, 'stop')
    let streamed = ''
    for await (const chunk of await client.chat.completions.create({ model: 'baobab/auto', messages: [{ role: 'user', content: COW }], stop: 'milk', stream: true })) streamed += chunk.choices[0]?.delta.content ?? ''
    assert.equal(streamed, text)
  })

  it('POST /v1/completions answers a prompt, routed like chat, streaming too', async () => {
    const c = await client.completions.create({ model: 'baobab/auto', prompt: COW, max_tokens: 40 })
    assert.equal(c.object, 'text_completion')
    assert.match(c.choices[0]!.text, /mastitis/)
    assert.equal(extra(c).expert?.domain, 'veterinary')
    assert.ok((c.usage?.completion_tokens ?? 0) > 0)
    let text = ''
    let finish: string | null = null
    for await (const chunk of await client.completions.create({ model: 'baobab/auto', prompt: COW, max_tokens: 40, stream: true })) {
      text += chunk.choices[0]?.text ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    assert.equal(text, c.choices[0]!.text)
    assert.equal(finish, c.choices[0]!.finish_reason)
  })

  it('models.retrieve: baobab/auto and an expert → 200, an unknown id → 404', async () => {
    assert.equal((await client.models.retrieve('baobab/auto')).id, 'baobab/auto')
    const vet = await client.models.retrieve('baobab/veterinary-card')
    assert.equal((vet as unknown as { domain: string }).domain, 'veterinary')
    await assert.rejects(client.models.retrieve('baobab/astrology'), (err: unknown) => err instanceof OpenAI.NotFoundError && err.status === 404)
  })

  it('a follow-up without domain words stays with the veterinary expert; baobab.turns says which turns decided', async () => {
    const followUp = 'About a week, and one has a runny nose and is not eating much.'
    const alone = await client.chat.completions.create({ model: 'baobab/auto', messages: [{ role: 'user', content: followUp }] })
    assert.equal(extra(alone).expert?.domain === 'veterinary', false, 'on its own the follow-up is not routed to veterinary')
    const c = await client.chat.completions.create({
      model: 'baobab/auto',
      messages: [
        { role: 'user', content: 'My goats have been coughing and sneezing. What should I do?' },
        { role: 'assistant', content: 'How long have they been coughing, and do any have a fever or discharge?' },
        { role: 'user', content: followUp }
      ]
    })
    assert.equal(extra(c).expert?.domain, 'veterinary')
    assert.deepEqual(extra(c).turns, [2, 0])
    const topic = await client.chat.completions.create({
      model: 'baobab/auto',
      messages: [
        { role: 'user', content: 'My goats have been coughing and sneezing. What should I do?' },
        { role: 'assistant', content: 'How long?' },
        { role: 'user', content: 'Different question: how deep should I plant maize seed?' }
      ]
    })
    assert.equal(extra(topic).expert?.domain, 'agronomy', 'a clear change of topic switches expert')
    assert.deepEqual(extra(topic).turns, [2])
  })

  it('embeddings are dense, 384 dimensions by default, `dimensions` honoured, usage counted', async () => {
    const e = await client.embeddings.create({ model: 'baobab/auto', input: ['goat coughing', 'goats cough', 'maize planting depth'] })
    const [a, b, c] = e.data.map(d => d.embedding)
    assert.equal(a!.length, 384)
    const cos = (x: number[], y: number[]): number => x.reduce((s, v, i) => s + v * y[i]!, 0)
    assert.ok(cos(a!, b!) > cos(a!, c!), 'related texts stay closer than unrelated ones')
    assert.ok(e.usage.prompt_tokens >= 7 && e.usage.total_tokens === e.usage.prompt_tokens)
    const small = await client.embeddings.create({ model: 'baobab/auto', input: 'goat coughing', dimensions: 128 })
    assert.equal(small.data[0]!.embedding.length, 128)
    assert.ok(Math.abs(Math.hypot(...small.data[0]!.embedding) - 1) < 1e-5)
    await assert.rejects(client.embeddings.create({ model: 'baobab/auto', input: 'x', dimensions: 4096 }), (err: unknown) => err instanceof OpenAI.BadRequestError)
  })

  it('response_format json_object from the retrieval runtime → 400 saying it cannot, never a non-JSON answer', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'baobab/auto', messages: [{ role: 'user', content: COW }], response_format: { type: 'json_object' } }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError)
      assert.equal(err.code, 'unsupported_request')
      assert.match(err.message, /retrieval runtime cannot produce JSON/)
      return true
    })
  })
})
