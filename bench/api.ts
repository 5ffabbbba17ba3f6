/**
 * HTTP API load test on loopback: 2,000 requests, 50 concurrent, per endpoint, against a real
 * `serveApi` server over the demo node (real library, router, retrieval runtime). Baseline in
 * the same run: a bare Hono "hello" endpoint on @hono/node-server. The load generator shares
 * the process (and the machine's cores) with the server, so figures are upper bounds on latency.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { createApi, serveApi } from '../src/api/index.ts'
import { mapLimit } from '../src/limits/index.ts'
import { demoNode } from '../test/api/fixtures/demo-services.ts'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const REQUESTS = 2000
const CONCURRENCY = 50
const WARMUP = 100

interface Result { name: string, requests: number, errors: number, p50: number, p99: number, mean: number, rps: number }

function questions (): string[] {
  const dir = new URL('../data/communities/', import.meta.url)
  return readdirSync(dir).filter(f => f.endsWith('.jsonl')).flatMap(f =>
    readFileSync(new URL(f, dir), 'utf8').trim().split('\n').map(l => (JSON.parse(l) as { q: string }).q))
}

async function load (name: string, make: (i: number) => Promise<Response>, requests = REQUESTS): Promise<Result> {
  for (let i = 0; i < WARMUP; i++) await (await make(i)).arrayBuffer()
  const times: number[] = []
  let errors = 0
  const t0 = performance.now()
  await mapLimit(Array.from({ length: requests }, (_, i) => i), CONCURRENCY, async i => {
    const s = performance.now()
    try {
      const res = await make(i)
      await res.arrayBuffer()
      if (!res.ok) errors++
    } catch {
      errors++
    }
    times.push(performance.now() - s)
  })
  const wall = performance.now() - t0
  times.sort((a, b) => a - b)
  const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))]!
  return { name, requests, errors, p50: q(0.5), p99: q(0.99), mean: times.reduce((a, b) => a + b, 0) / times.length, rps: requests / (wall / 1000) }
}

export async function run (): Promise<Record<string, unknown>> {
  const node = await demoNode()
  const bare = new Hono().get('/hello', (c) => c.text('hello'))
  const bareServer = createAdaptorServer({ fetch: bare.fetch }) as Server
  await new Promise<void>((resolve) => { bareServer.listen(0, '127.0.0.1', () => { resolve() }) })
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/`
  // The limiter stays in the request path, sized so a 50-way loopback load is never refused.
  const served = await serveApi(createApi(node.services, { rateLimit: { burst: 1e6, perSecond: 1e6 } }), { host: '127.0.0.1', port: 0 })
  const qs = questions()
  const json = (path: string, body: (i: number) => unknown) => async (i: number) =>
    fetch(served.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body(i)) })
  const chat = (stream: boolean) => json('v1/chat/completions', i => ({ model: 'baobab/auto', stream, messages: [{ role: 'user', content: qs[i % qs.length] }] }))

  const results: Result[] = []
  try {
    results.push(await load('baseline: bare Hono GET /hello', async () => fetch(`${bareUrl}hello`)))
    results.push(await load('GET /healthz (guards + routing)', async () => fetch(`${served.url}healthz`)))
    results.push(await load('GET /v1/models', async () => fetch(`${served.url}v1/models`)))
    results.push(await load('POST /api/route', json('api/route', i => ({ question: qs[i % qs.length] }))))
    results.push(await load('POST /v1/chat/completions', chat(false)))
    results.push(await load('POST /v1/chat/completions stream', chat(true)))
  } finally {
    await served.close()
    bareServer.closeAllConnections()
    await new Promise<void>((resolve) => { bareServer.close(() => { resolve() }) })
    await node.close()
  }

  console.log(`\n${REQUESTS} requests per row, ${CONCURRENCY} concurrent, loopback, keep-alive`)
  console.log('endpoint'.padEnd(36), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'req/s'.padStart(8), 'errors'.padStart(7))
  for (const r of results) {
    console.log(r.name.padEnd(36), r.p50.toFixed(2).padStart(8), r.p99.toFixed(2).padStart(8), r.rps.toFixed(0).padStart(8), String(r.errors).padStart(7))
  }

  const key = (r: Result): string => r.name.replace(/^baseline: bare Hono /, 'baseline ').replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '').toLowerCase()
  const figures: Record<string, unknown> = { requestsPerEndpoint: REQUESTS, concurrency: CONCURRENCY, totalErrors: results.reduce((n, r) => n + r.errors, 0) }
  for (const r of results) {
    figures[`${key(r)}_p50_ms`] = round(r.p50)
    figures[`${key(r)}_p99_ms`] = round(r.p99)
    figures[`${key(r)}_rps`] = Math.round(r.rps)
  }
  figures.rows = results.map(r => ({ ...r, p50: round(r.p50), p99: round(r.p99), mean: round(r.mean), rps: Math.round(r.rps) }))
  return figures
}

function round (x: number): number {
  return Math.round(x * 100) / 100
}
