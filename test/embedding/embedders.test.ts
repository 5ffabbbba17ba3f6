import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { describe, it, test } from 'node:test'
import { embedderCompliance } from '../compliance/embedder.ts'
import { createEmbedder, hashEmbedder, openaiEmbedder, transformersEmbedder } from '../../src/embedding/index.ts'
import { OpenAIEmbedder } from '../../src/embedding/openai-embedder.ts'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Embedder } from '../../src/embedding/index.ts'

const SHARED = new URL('../../../shared/', import.meta.url)
const BOW = fileURLToPath(new URL('models/synthetic-bow-384/', SHARED))

embedderCompliance({ name: 'builtin (unfitted)', setup: async () => ({ embedder: hashEmbedder() }) })
embedderCompliance({
  name: 'builtin (fitted)',
  setup: async () => {
    const embedder = hashEmbedder({ dims: 4096 })
    embedder.fit(['Cattle ticks are controlled by dipping or spraying acaricide.', 'Maize needs nitrogen at knee height.'])
    return { embedder }
  }
})

let bow: Embedder | null = null
if (existsSync(BOW)) {
  embedderCompliance({
    name: 'transformers (synthetic-bow-384)',
    // one model load for the whole suite; the synthetic model only sees shared tokens, which is
    // what the paraphrase check needs here ("ticks", "cattle"/"cows" differ, "ticks" is shared)
    setup: async () => ({ embedder: bow ??= transformersEmbedder({ modelPath: BOW }) })
  })
} else {
  test('transformers embedder compliance', t => { t.skip(`no ${BOW} (shared models are not in this checkout)`) })
}

/**
 * An OpenAI-compatible /v1/embeddings server on 127.0.0.1. Its vectors come from a real built-in
 * embedder, so the suite checks the HTTP client against meaningful embeddings. `script` lets a
 * test inject failures first.
 */
async function embeddingServer (script: Array<(res: import('node:http').ServerResponse) => void> = []): Promise<{ url: string, server: Server, requests: number[] }> {
  const inner = hashEmbedder({ dims: 256 })
  const requests: number[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      const step = script.shift()
      if (step != null) { requests.push(-1); step(res); return }
      const parsed = JSON.parse(body) as { input: string[], model: string }
      requests.push(parsed.input.length)
      const data = parsed.input.map((text, index) => ({ object: 'embedding', index, embedding: [...inner.embedSync(text)] }))
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ object: 'list', model: parsed.model, data: data.reverse() }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/v1`, server, requests }
}

const close = async (s: Server): Promise<void> => { await new Promise(resolve => s.close(resolve)) }

embedderCompliance({
  name: 'openai (loopback server)',
  setup: async () => {
    const { url, server } = await embeddingServer()
    return { embedder: openaiEmbedder({ baseUrl: url, model: 'hash', dims: 256 }), teardown: async () => { await close(server) } }
  }
})

describe('openai embedder', () => {
  it('asks the server for the vector length, batches, and orders by index', async () => {
    const { url, server, requests } = await embeddingServer()
    try {
      const e = await OpenAIEmbedder.connect({ baseUrl: url, model: 'hash', batchSize: 2 })
      assert.equal(e.dims, 256)
      const { embeddings } = await e.doEmbed({ values: ['a cow', 'a goat', 'a fish'] })
      assert.equal(embeddings.length, 3)
      assert.deepEqual(requests, [1, 2, 1])
      const direct = hashEmbedder({ dims: 256 }).embedSync('a goat')
      assert.ok(embeddings[1]!.every((x, i) => Math.abs(x - direct[i]!) < 1e-6), 'index order kept although the server reversed data')
    } finally { await close(server) }
  })

  it('retries 503 and 429, then succeeds', async () => {
    const fail = (status: number) => (res: import('node:http').ServerResponse) => { res.writeHead(status); res.end('busy') }
    const { url, server, requests } = await embeddingServer([fail(503), fail(429)])
    try {
      const e = openaiEmbedder({ baseUrl: url, model: 'hash', dims: 256, retries: 2, retryDelayMs: 1 })
      const { embeddings } = await e.doEmbed({ values: ['water'] })
      assert.equal(embeddings.length, 1)
      assert.deepEqual(requests, [-1, -1, 1])
    } finally { await close(server) }
  })

  it('fails with EmbeddingFailedError on 4xx, bad payloads and wrong dims', async () => {
    const { url, server } = await embeddingServer([
      res => { res.writeHead(401); res.end('no key') },
      res => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":[{"embedding":"nope"}]}') },
      res => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":[]}') }
    ])
    try {
      const e = openaiEmbedder({ baseUrl: url, model: 'hash', dims: 256, retries: 0 })
      await assert.rejects(e.doEmbed({ values: ['x'] }), (err: Error & { status?: number }) => err.name === 'EmbeddingFailedError' && err.status === 401)
      await assert.rejects(e.doEmbed({ values: ['x'] }), { name: 'EmbeddingFailedError' })
      await assert.rejects(e.doEmbed({ values: ['x'] }), { name: 'EmbeddingFailedError' })
      const wrong = openaiEmbedder({ baseUrl: url, model: 'hash', dims: 384, retries: 0 })
      await assert.rejects(wrong.doEmbed({ values: ['x'] }), /256 dims, expected 384/)
    } finally { await close(server) }
  })

  it('gives up after the retries when nothing listens', async () => {
    const { url, server } = await embeddingServer()
    await close(server)
    const e = openaiEmbedder({ baseUrl: url, model: 'hash', dims: 256, retries: 1, retryDelayMs: 1 })
    await assert.rejects(e.doEmbed({ values: ['x'] }), /failed after 2 attempts/)
  })

  it('rejects bad options', () => {
    assert.throws(() => openaiEmbedder({ baseUrl: 'not a url', model: 'm', dims: 3 }), { name: 'InvalidEmbedderOptionsError' })
    assert.throws(() => openaiEmbedder({ baseUrl: 'http://127.0.0.1:1/v1', model: '', dims: 3 }), { name: 'InvalidEmbedderOptionsError' })
    assert.throws(() => openaiEmbedder({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', dims: 0 }), { name: 'InvalidEmbedderOptionsError' })
  })
})

describe('createEmbedder', () => {
  it('builds the built-in embedder by default and rejects incomplete configs', async () => {
    assert.match((await createEmbedder()).id, /^builtin:/)
    await assert.rejects(createEmbedder({ kind: 'transformers' }), { name: 'InvalidEmbedderOptionsError' })
    await assert.rejects(createEmbedder({ kind: 'openai' }), { name: 'InvalidEmbedderOptionsError' })
    await assert.rejects(createEmbedder({ kind: 'transformers', model: '/nonexistent/model' }), { name: 'EmbeddingModelNotFoundError' })
  })

  it('connects to an openai-compatible server from config', async () => {
    const { url, server } = await embeddingServer()
    try {
      const e = await createEmbedder({ kind: 'openai', baseUrl: url, model: 'hash' })
      assert.equal(e.dims, 256)
    } finally { await close(server) }
  })
})
