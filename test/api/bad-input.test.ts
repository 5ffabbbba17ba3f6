/**
 * Bad input: malformed JSON, wrong types, over-long prompts, huge bodies, unknown models and
 * routes, tokens, floods, slow handlers and slow clients. Proper 4xx, OpenAI-style bodies, no
 * stack traces, nothing crashes, stored data untouched.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { createApi, InsecureBindError, InvalidApiOptionsError, isLoopbackHost, parseListen, serveApi } from '../../src/api/index.ts'
import { servicesFromParts } from '../../src/api/services-from-parts.ts'
import { TokenBuckets } from '../../src/api/security.ts'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { openLibrary } from '../../src/library/index.ts'
import { demoNode } from './fixtures/demo-services.ts'
import type { DemoNode } from './fixtures/demo-services.ts'
import type { Hono } from 'hono'

interface ErrorBody { error: { message: string, type: string, code: string, param: string | null } }

async function expectError (res: Response, status: number, code?: string): Promise<ErrorBody> {
  assert.equal(res.status, status)
  const text = await res.text()
  assert.doesNotMatch(text, /\n\s+at |\.ts:\d+/, 'no stack trace or source path')
  const body = JSON.parse(text) as ErrorBody
  assert.equal(typeof body.error.message, 'string')
  assert.equal(typeof body.error.type, 'string')
  if (code != null) assert.equal(body.error.code, code)
  return body
}

describe('bad input', () => {
  let node: DemoNode
  let app: Hono
  before(async () => {
    node = await demoNode()
    app = createApi(node.services, { rateLimit: false, maxBodyBytes: 64 * 1024, maxPromptChars: 2000 })
  })
  after(async () => { await node.close() })
  const chat = async (body: string | object, headers: Record<string, string> = {}): Promise<Response> =>
    app.request('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })

  it('malformed JSON → 400 malformed_json', async () => {
    await expectError(await chat('{"model": "baobab/auto", "messages": ['), 400, 'malformed_json')
    await expectError(await chat(new TextDecoder().decode(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))), 400)
    await expectError(await chat(''), 400, 'invalid_request')
  })

  it('wrong types name the field', async () => {
    const cases: Array<[object, string]> = [
      [{ model: 'baobab/auto', messages: 'hello' }, 'messages'],
      [{ model: 'baobab/auto', messages: [] }, 'messages'],
      [{ model: 'baobab/auto', messages: [{ role: 'wizard', content: 'x' }] }, 'messages.0.role'],
      [{ model: 'baobab/auto', messages: [{ role: 'user', content: 42 }] }, 'messages.0.content'],
      [{ model: 'baobab/auto', messages: [{ role: 'user', content: 'x' }], temperature: 7 }, 'temperature'],
      [{ model: 'baobab/auto', messages: [{ role: 'user', content: 'x' }], max_tokens: -1 }, 'max_tokens'],
      [{ model: 'baobab/auto', messages: [{ role: 'user', content: 'x' }], n: 3 }, 'n'],
      [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
      [{ model: 'baobab/auto', messages: [{ role: 'user', content: 'x' }], stop: [''] }, 'stop.0'],
      [{ model: 'baobab/auto', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: {} }] }, 'tools.0.function.name'],
      [{ model: 'baobab/auto', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'yaml' } }, 'response_format'],
      [{ model: 'baobab/auto', messages: [{ role: 'assistant', content: null, tool_calls: [{ function: { arguments: '{}' } }] }] }, 'messages.0.tool_calls.0.function.name'],
      [[1, 2], 'body']
    ]
    for (const [body, param] of cases) {
      const e = await expectError(await chat(body), 400, 'invalid_request')
      assert.equal(e.error.param ?? 'body', param, JSON.stringify(body))
      assert.equal(e.error.type, 'invalid_request_error')
    }
  })

  it('unknown model → 404 model_not_found; unknown route → 404', async () => {
    await expectError(await chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }), 404, 'model_not_found')
    await expectError(await app.request('/v1/audio/speech', { method: 'POST', headers: { 'content-type': 'application/json' } }), 404, 'not_found')
    await expectError(await app.request('/v1/models/gpt-4o'), 404, 'model_not_found')
    await expectError(await app.request('/api/nothing'), 404, 'not_found')
  })

  it('over-long prompt → 400 context_length_exceeded; huge body → 413', async () => {
    const e = await expectError(await chat({ model: 'baobab/auto', messages: [{ role: 'user', content: 'maize '.repeat(400) }] }), 400, 'context_length_exceeded')
    assert.match(e.error.message, /2400 characters; this node accepts at most 2000/)
    await expectError(await chat({ model: 'baobab/auto', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }), 413, 'payload_too_large')
    // A body without Content-Length is counted as it streams.
    const big = new ReadableStream<Uint8Array>({
      start (c) {
        for (let i = 0; i < 100; i++) c.enqueue(new Uint8Array(1024).fill(32))
        c.close()
      }
    })
    await expectError(await app.request('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big, duplex: 'half' } as RequestInit), 413)
    await expectError(await app.request('/api/route', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'q'.repeat(2001) }) }), 400, 'context_length_exceeded')
  })

  it('internal errors are 500 with a generic message; named service errors keep their status', async () => {
    const lib = openLibrary({ home: ':memory:' })
    const failing = servicesFromParts({ library: lib, peerId: 'p', config: DEFAULT_CONFIG }, {
      status: async () => { throw new Error('secret path /home/me/.baobab/key unreadable') },
      peers: async () => { throw Object.assign(new Error('peer ghost not found'), { name: 'PeerNotFoundError', category: 'not-found' }) }
    })
    const a = createApi(failing, { rateLimit: false })
    const e = await expectError(await a.request('/api/status'), 500, 'internal_error')
    assert.doesNotMatch(e.error.message, /secret|home/)
    await expectError(await a.request('/api/peers'), 404, 'peer_not_found')
    await expectError(await a.request('/api/route', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"question":"x"}' }), 503, 'capability_unavailable')
    lib.close()
  })

  it('a handler slower than the request time limit → 408, and the work is aborted', async () => {
    let aborted = false
    const slow = { ...node.services, route: async (_q: string, o?: { signal?: AbortSignal }) => new Promise<never>((_resolve, reject) => { o?.signal?.addEventListener('abort', () => { aborted = true; reject(o.signal!.reason) }) }) }
    const a = createApi(slow, { rateLimit: false, requestTimeoutMs: 50 })
    await expectError(await a.request('/api/route', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"question":"maize"}' }), 408, 'request_timeout')
    assert.equal(aborted, true)
  })

  it('token: missing or wrong → 401 on every path; right → 200; short tokens are refused', async () => {
    const a = createApi(node.services, { token: 'a-long-enough-token-123', rateLimit: false })
    for (const path of ['/v1/models', '/api/status', '/', '/openapi.json', '/nope']) {
      await expectError(await a.request(path), 401, 'invalid_api_key')
    }
    await expectError(await a.request('/v1/models', { headers: { authorization: 'Bearer a-long-enough-token-124' } }), 401)
    await expectError(await a.request('/v1/models', { headers: { authorization: 'Basic a-long-enough-token-123' } }), 401)
    assert.equal((await a.request('/v1/models', { headers: { authorization: 'Bearer a-long-enough-token-123' } })).status, 200)
    assert.equal((await a.request('/?token=wrong')).status, 401)
    assert.throws(() => createApi(node.services, { token: 'short' }), InvalidApiOptionsError)
  })

  it('flood → 429 with Retry-After from the per-client token bucket', async () => {
    const a = createApi(node.services, { rateLimit: { burst: 5, perSecond: 0.01 } })
    for (let i = 0; i < 5; i++) assert.equal((await a.request('/v1/models')).status, 200)
    const res = await a.request('/v1/models')
    await expectError(res, 429, 'rate_limit_exceeded')
    assert.ok(Number(res.headers.get('retry-after')) >= 1)
  })

  it('token buckets refill, are per client, and stay bounded', () => {
    let now = 0
    const b = new TokenBuckets({ burst: 2, perSecond: 1, maxClients: 100 }, () => now)
    b.take('a'); b.take('a')
    assert.throws(() => { b.take('a') }, { name: 'RateLimitedError' })
    b.take('b')
    now += 1000
    b.take('a')
    for (let i = 0; i < 1000; i++) b.take(`c${i}`)
    assert.ok(b.size <= 100)
  })

  it('serveApi: loopback by default, refuses other hosts without a token', async () => {
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost') && isLoopbackHost('[::1]'))
    assert.ok(!isLoopbackHost('0.0.0.0') && !isLoopbackHost('192.168.1.4') && !isLoopbackHost('::'))
    await assert.rejects(serveApi(createApi(node.services), { host: '0.0.0.0', port: 0 }), InsecureBindError)
    assert.deepEqual(parseListen('127.0.0.1:7777'), { host: '127.0.0.1', port: 7777 })
    assert.deepEqual(parseListen('[::1]:80'), { host: '::1', port: 80 })
    assert.deepEqual(parseListen(':0'), { host: '127.0.0.1', port: 0 })
    assert.throws(() => parseListen('7777'), InvalidApiOptionsError)
    assert.throws(() => parseListen('host:99999'), InvalidApiOptionsError)
  })

  it('a slow client that never finishes its headers gets 408 and is disconnected', async () => {
    const served = await serveApi(createApi(node.services), { host: '127.0.0.1', port: 0, headersTimeoutMs: 100, requestTimeoutMs: 100, checkIntervalMs: 20 })
    try {
      const socket = connect(served.port, '127.0.0.1')
      let received = ''
      socket.setEncoding('utf8')
      socket.on('data', (d: string) => { received += d })
      await new Promise<void>((resolve) => { socket.on('connect', () => { resolve() }) })
      socket.write('GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n')
      await new Promise<void>((resolve) => { socket.on('close', () => { resolve() }) })
      assert.match(received, /^HTTP\/1\.1 408/)
      // The server is still healthy.
      assert.equal((await fetch(`${served.url}healthz`)).status, 200)
    } finally {
      await served.close()
    }
  })

  it('stored data is untouched by all of the above', () => {
    assert.equal(node.library.list().length, 9)
    assert.equal(node.library.get(node.quarantinedCid)?.status, 'quarantined')
  })
})
