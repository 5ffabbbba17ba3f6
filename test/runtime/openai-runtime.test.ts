import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { createRuntime, openaiRuntime } from '../../src/runtime/index.ts'
import type { GenerateOptions, StreamPart } from '../../src/runtime/index.ts'
import { readAll, runtimeCompliance } from '../compliance/runtime.ts'
import { startOpenAiTestServer } from './openai-test-server.ts'
import type { OpenAiTestServer } from './openai-test-server.ts'

const ask = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({
  messages: [{ role: 'user', content: 'When do I plant beans?' }],
  maxTokens: 10,
  temperature: 0,
  ...o
})
const fast = { maxRetries: 2, retryBaseMs: 1 }

let complianceServer: OpenAiTestServer | undefined
runtimeCompliance({
  name: 'openai (in-test HTTP server)',
  setup: async () => {
    complianceServer ??= await startOpenAiTestServer()
    return { runtime: openaiRuntime({ baseUrl: complianceServer.baseUrl, model: 'base-model', ...fast }) }
  }
})
after(async () => { await complianceServer?.close() })

describe('openai runtime', () => {
  let server: OpenAiTestServer
  before(async () => { server = await startOpenAiTestServer({ apiKey: 'sk-test' }) })
  after(async () => { await server.close() })
  const rt = (o: Record<string, unknown> = {}) => openaiRuntime({ baseUrl: server.baseUrl, model: 'base-model', apiKey: 'sk-test', ...fast, ...o })
  const last = () => server.requests.at(-1)!

  it('sends the chat request and reads text, finish reason and usage', async () => {
    const r = await rt().doGenerate(ask({ seed: 3, maxTokens: 4 }))
    assert.equal(r.text, 'base-model answers: When do')
    assert.equal(r.finishReason, 'length')
    assert.deepEqual(r.usage, { inputTokens: 5, outputTokens: 4 })
    assert.equal(last().headers.authorization, 'Bearer sk-test')
    assert.equal(last().body.seed, 3)
    assert.equal(last().body.max_tokens, 4)
    assert.equal(last().body.stream, false)
  })

  it('streams over SSE with usage from the server', async () => {
    const parts = await readAll(await rt().doStream(ask({ maxTokens: 30 })))
    const text = parts.map(p => p.type === 'text-delta' ? p.delta : '').join('')
    assert.ok(text.startsWith('base-model answers: When do I plant beans? one two'), text)
    const finish = parts.at(-1) as Extract<StreamPart, { type: 'finish' }>
    assert.equal(finish.finishReason, 'stop')
    assert.equal(finish.usage.outputTokens, text.split(' ').length)
    assert.deepEqual(last().body.stream_options, { include_usage: true })
  })

  it('vLLM / Ollama style: the adapter name becomes the model (via createRuntime + middleware)', async () => {
    const runtime = createRuntime({ kind: 'openai', baseUrl: server.baseUrl, model: 'base-model', apiKey: 'sk-test' })
    const r = await runtime.doGenerate(ask({ knowledge: { id: 'cid', name: 'maize-expert', domain: 'agronomy', loraPath: '/x.gguf' } }))
    assert.equal(last().body.model, 'maize-expert')
    assert.ok(r.text.startsWith('maize-expert answers:'))
    await runtime.doGenerate(ask({ knowledge: { id: 'cid', name: 'card-only', domain: 'agronomy' } }))
    assert.equal(last().body.model, 'base-model', 'an expert without weights runs on the base model')
  })

  it('llama-server style: per-request lora ids and scales; the base model is an empty list', async () => {
    const runtime = rt({ lora: 'llama-server', loraIds: { maize: 0, beans: 1 } })
    await runtime.doGenerate(ask({ adapters: [{ name: 'beans', scale: 0.5 }] }))
    assert.deepEqual(last().body.lora, [{ id: 1, scale: 0.5 }])
    assert.equal(last().body.model, 'base-model')
    await runtime.doGenerate(ask({ adapters: [{ name: 'x', id: 4 }] }))
    assert.deepEqual(last().body.lora, [{ id: 4, scale: 1 }])
    const unknown = await runtime.doGenerate(ask({ adapters: [{ name: 'nobody' }] }))
    assert.deepEqual(last().body.lora, [])
    assert.ok(unknown.warnings.some(w => w.includes('nobody')))
    await runtime.doGenerate(ask())
    assert.deepEqual(last().body.lora, [])
  })

  it('warns instead of silently dropping what the server cannot take', async () => {
    const r = await rt().doGenerate(ask({ adapters: [{ name: 'a', scale: 0.3 }, { name: 'b' }] }))
    assert.equal(last().body.model, 'a')
    assert.equal(r.warnings.length, 2)
    const none = await rt({ lora: 'none' }).doGenerate(ask({ adapters: [{ name: 'a' }] }))
    assert.equal(last().body.model, 'base-model')
    assert.ok(none.warnings.some(w => w.includes('adapters ignored')))
  })

  it('puts experiences into the system message', async () => {
    await rt().doGenerate(ask({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'q?' }], experiences: [{ cid: 'e', text: 'Inoculate bean seed.' }] }))
    const messages = last().body.messages as Array<{ role: string, content: string }>
    assert.equal(messages.length, 2)
    assert.equal(messages[0]?.role, 'system')
    assert.match(messages[0]?.content ?? '', /^Be brief\.\n\nLessons learned[\s\S]*- Inoculate bean seed\./)
  })

  it('retries 429 and 5xx with backoff, then succeeds (generate and stream)', async () => {
    const before = server.requests.length
    server.faults = [{ status: 503 }, { status: 429, retryAfter: '0' }]
    const r = await rt().doGenerate(ask())
    assert.ok(r.text.length > 0)
    assert.equal(server.requests.length - before, 3)
    server.faults = [{ status: 502 }]
    const parts = await readAll(await rt().doStream(ask()))
    assert.equal(parts.at(-1)?.type, 'finish')
  })

  it('gives up after maxRetries with RuntimeHttpError; 4xx is not retried', async () => {
    server.faults = [{ status: 500 }, { status: 500 }, { status: 500 }]
    await assert.rejects(rt().doGenerate(ask()), { name: 'RuntimeHttpError', status: 500, attempts: 3 })
    const before = server.requests.length
    server.faults = [{ status: 400, body: '{"error":{"message":"bad model"}}' }]
    await assert.rejects(rt().doStream(ask()), (err: Error & { status?: number, attempts?: number, body?: string }) =>
      err.name === 'RuntimeHttpError' && err.status === 400 && err.attempts === 1 && err.body?.includes('bad model') === true)
    assert.equal(server.requests.length - before, 1)
    await assert.rejects(openaiRuntime({ baseUrl: server.baseUrl, model: 'm', ...fast }).doGenerate(ask()), { name: 'RuntimeHttpError', status: 401 })
  })

  it('times out a silent server with RuntimeTimeoutError, and retries timeouts', async () => {
    server.faults = [{ hang: true }]
    await assert.rejects(rt({ timeoutMs: 100, maxRetries: 0 }).doGenerate(ask()), { name: 'RuntimeTimeoutError', timeoutMs: 100 })
    server.faults = [{ hang: true }]
    const r = await rt({ timeoutMs: 100, maxRetries: 1 }).doGenerate(ask())
    assert.ok(r.text.length > 0)
  })

  it('a stream that stalls mid-way ends with an error part carrying RuntimeTimeoutError', async () => {
    server.faults = [{ stallAfterFirstChunk: true }]
    const parts = await readAll(await rt({ timeoutMs: 150 }).doStream(ask()))
    const error = parts.find(p => p.type === 'error')
    assert.ok(error?.type === 'error')
    assert.equal((error.error as Error).name, 'RuntimeTimeoutError')
    assert.deepEqual(parts.slice(-3).map(p => p.type), ['text-end', 'error', 'finish'])
    assert.equal((parts.at(-1) as { finishReason: string }).finishReason, 'error')
    assert.ok(parts.some(p => p.type === 'text-delta'), 'the first chunk got through')
  })

  it('an abort while waiting for a silent server rejects with the reason', async () => {
    server.faults = [{ hang: true }]
    const controller = new AbortController()
    const reason = new Error('user gave up')
    const p = rt({ timeoutMs: 60_000 }).doGenerate(ask({ signal: controller.signal }))
    // The request is in flight once the server has recorded it.
    const n = server.requests.length
    while (server.requests.length === n) await new Promise(resolve => setImmediate(resolve))
    controller.abort(reason)
    await assert.rejects(p, (err) => err === reason)
  })

  it('protocol faults are RuntimeProtocolError: malformed JSON, an error event in the stream', async () => {
    server.faults = [{ malformed: true }]
    await assert.rejects(rt().doGenerate(ask()), { name: 'RuntimeProtocolError' })
    server.faults = [{ streamError: true }]
    const parts = await readAll(await rt().doStream(ask()))
    const error = parts.find(p => p.type === 'error')
    assert.ok(error?.type === 'error')
    assert.equal((error.error as Error).name, 'RuntimeProtocolError')
    assert.match((error.error as Error).message, /model crashed/)
  })

  it('estimates usage with a warning when the server reports none', async () => {
    server.faults = [{ noUsage: true }]
    const r = await rt().doGenerate(ask({ maxTokens: 3 }))
    assert.equal(r.usage.outputTokens, 3)
    assert.ok(r.warnings.some(w => w.includes('no usage')))
    server.faults = [{ noUsage: true }]
    const parts = await readAll(await rt().doStream(ask({ maxTokens: 3 })))
    const finish = parts.at(-1) as Extract<StreamPart, { type: 'finish' }>
    assert.equal(finish.usage.outputTokens, 3)
    assert.ok(finish.warnings?.some(w => w.includes('no usage')))
  })

  it('a refused connection is RuntimeConnectionError after the retries', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as { port: number }
    await new Promise<void>((resolve) => probe.close(() => { resolve() }))
    await assert.rejects(openaiRuntime({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', ...fast }).doGenerate(ask()),
      { name: 'RuntimeConnectionError', attempts: 3 })
  })

  it('rejects bad settings with InvalidRuntimeConfigError', () => {
    assert.throws(() => openaiRuntime({ baseUrl: 'not a url', model: 'm' }), { name: 'InvalidRuntimeConfigError' })
    assert.throws(() => openaiRuntime({ baseUrl: 'ftp://127.0.0.1/v1', model: 'm' }), { name: 'InvalidRuntimeConfigError' })
    assert.throws(() => openaiRuntime({ baseUrl: server.baseUrl, model: '' }), { name: 'InvalidRuntimeConfigError' })
    assert.throws(() => openaiRuntime({ baseUrl: server.baseUrl, model: 'm', timeoutMs: 0 }), { name: 'InvalidRuntimeConfigError' })
    assert.throws(() => createRuntime({ kind: 'openai', model: 'm' }), { name: 'InvalidRuntimeConfigError' })
    assert.throws(() => createRuntime({ kind: 'gpt' as 'openai' }), { name: 'UnknownRuntimeError' })
  })
})

describe('the in-test server speaks the protocol', () => {
  it('the official openai client reads its JSON and SSE answers', async () => {
    const { default: OpenAI } = await import('openai')
    const server = await startOpenAiTestServer()
    try {
      const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 })
      const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 })
      assert.equal(r.choices[0]?.message.content, 'm answers: hi')
      assert.equal(r.usage?.completion_tokens, 3)
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, stream: true, stream_options: { include_usage: true } })
      let text = ''
      let usage = 0
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? ''
        usage = chunk.usage?.completion_tokens ?? usage
      }
      assert.equal(text, 'm answers: hi one two')
      assert.equal(usage, 5)
    } finally {
      await server.close()
    }
  })
})
