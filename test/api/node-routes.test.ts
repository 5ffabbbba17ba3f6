/** /api in process: status, library, route, ask, experiences, outcomes, trust, events, openapi, dashboard files. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createArtifact } from '../../src/artifacts/index.ts'
import { createApi } from '../../src/api/index.ts'
import { demoNode } from './fixtures/demo-services.ts'
import { parseSse } from './fixtures/sse.ts'
import type { ArtifactDetail, ArtifactSummary, AskResult, ExperienceSummary, NodeStatus, OutcomeSummary, QuarantineItem, Recommendation, RouteExplanation } from '../../src/api/index.ts'
import type { DemoNode } from './fixtures/demo-services.ts'
import type { Hono } from 'hono'

describe('node API /api', () => {
  let node: DemoNode
  let app: Hono
  before(async () => {
    node = await demoNode()
    app = createApi(node.services, { rateLimit: false })
  })
  after(async () => { await node.close() })

  type ErrorJson = { error: { code: string, message: string } }
  const get = async <T = ErrorJson>(path: string): Promise<{ status: number, body: T }> => {
    const res = await app.request(path)
    return { status: res.status, body: await res.json() as T }
  }
  const post = async <T = ErrorJson>(path: string, body?: unknown): Promise<{ status: number, body: T }> => {
    const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
    return { status: res.status, body: await res.json() as T }
  }

  it('status summarises the library', async () => {
    const { status, body } = await get<NodeStatus>('/api/status')
    assert.equal(status, 200)
    assert.match(body.peerId, /^12D3KooW/)
    assert.equal(body.library.byKind.adapter, 6)
    assert.equal(body.library.byStatus.quarantined, 1)
    assert.equal(body.runtime.provider, 'retrieval')
  })

  it('lists the library with kind and status filters and shows one artifact', async () => {
    const all = await get<ArtifactSummary[]>('/api/library')
    assert.equal(all.body.length, 9)
    const cards = await get<ArtifactSummary[]>('/api/library?kind=adapter&status=trusted')
    assert.equal(cards.body.length, 5)
    assert.ok(cards.body.every(a => a.kind === 'adapter' && a.status === 'trusted'))
    const exp = await get<ArtifactSummary[]>('/api/library?kind=experience')
    assert.equal(exp.body.length, 2)
    const one = await get<ArtifactDetail & { envelope: { body: { exemplars: Array<{ q: string }> } } }>(`/api/library/${node.quarantinedCid}`)
    assert.equal(one.status, 200)
    assert.equal(one.body.title, 'beekeeping')
    assert.equal(one.body.envelope.body.exemplars[0]!.q, 'How do I calm bees before opening the hive?')
    assert.equal((await get('/api/library?kind=banana')).status, 400)
    assert.equal((await get('/api/library?limit=0')).status, 400)
  })

  it('adds an encoded artifact through the trust pipeline, idempotently, and removes it', async () => {
    const a = await createArtifact('revocation', { target: (await createArtifact('revocation', { target: node.library.list()[0]!.cid, reason: 'x' }, node.privateKey)).cid, reason: 'superseded' }, node.privateKey)
    const first = await app.request('/api/library', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(a.bytes) })
    assert.equal(first.status, 201)
    const r = await first.json() as { cid: string, inserted: boolean, status: string, reason: string }
    assert.equal(r.cid, a.cid.toString())
    assert.equal(r.inserted, true)
    // decided by the pipeline's screens, and journalled like an import
    assert.match(r.reason, /^screen: revocation of /)
    const row = node.library.db.prepare('SELECT status, stage FROM trust_decisions WHERE cid = ?').get(r.cid) as { status: string, stage: string }
    assert.deepEqual({ ...row }, { status: r.status, stage: 'screen' })
    const again = await post<{ inserted: boolean }>('/api/library', { bytes: Buffer.from(a.bytes).toString('base64') })
    assert.equal(again.status, 200)
    assert.equal(again.body.inserted, false)
    const del = await app.request(`/api/library/${r.cid}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } })
    assert.equal(del.status, 200)
    assert.equal((await get(`/api/library/${r.cid}`)).status, 404)
    assert.equal(node.library.db.prepare('SELECT 1 FROM trust_decisions WHERE cid = ?').get(r.cid), undefined, 'its decision went with it')
    assert.equal((await app.request(`/api/library/${r.cid}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } })).status, 404)
  })

  it('an artifact from a deny-listed author is refused over HTTP as on every other path, storing nothing', async () => {
    const key = await generateKeyPair('Ed25519')
    const author = peerIdFromPrivateKey(key).toString()
    node.node.trust.setPeer(author, 'deny', 'test')
    const a = await createArtifact('experience', {
      text: 'Rotate pastures every two weeks to break the worm cycle.', domain: 'veterinary', tags: ['grazing'], confidence: 0.7,
      evidence: { groups: 3, meanReward: 0.5 }, sketch: { embedder: 'test', bits: new Uint8Array(32), scale: 0.05 }
    }, key)
    const res = await post('/api/library', { bytes: Buffer.from(a.bytes).toString('base64') })
    assert.equal(res.status, 400)
    assert.equal(res.body.error.code, 'admission_refused')
    assert.match(res.body.error.message, /deny/)
    assert.equal(node.library.get(a.cid.toString()), undefined)
  })

  it('rejects bytes that are not a signed artifact, storing nothing', async () => {
    const before = node.library.list().length
    const bad = await app.request('/api/library', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([1, 2, 3, 4]) })
    assert.equal(bad.status, 400)
    const body = await bad.json() as { error: { code: string, message: string } }
    assert.match(body.error.code, /malformed_artifact/)
    assert.equal(node.library.list().length, before)
  })

  it('route explains the decision', async () => {
    const { status, body } = await post<RouteExplanation>('/api/route', { question: 'How far apart should I space maize rows?' })
    assert.equal(status, 200)
    assert.deepEqual(body.expert, { name: 'agronomy', domain: 'agronomy' })
    assert.equal(body.scores.length, 5)
    assert.ok(body.threshold != null && body.threshold > 0 && body.threshold < 1, 'a calibrated threshold')
    assert.ok(body.scores[0]!.score >= body.threshold)
    assert.equal(body.topExemplars[0]!.expert, 'agronomy')
    assert.ok(body.reason.length > 0)
  })

  it('ask answers, non-streaming and streaming (route, delta*, finish)', async () => {
    const q = 'How do I deworm my goats?'
    const plain = await post<AskResult>('/api/ask', { question: q })
    assert.equal(plain.status, 200)
    assert.equal(plain.body.route.expert?.name, 'veterinary')
    assert.match(plain.body.text, /FAMACHA/)
    const res = await app.request('/api/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: q, stream: true }) })
    const events = parseSse(await res.text())
    assert.equal(events[0]!.event, 'route')
    assert.equal(JSON.parse(events[0]!.data).expert.name, 'veterinary')
    assert.equal(events.at(-1)!.event, 'finish')
    const text = events.filter(e => e.event === 'delta').map(e => JSON.parse(e.data).text).join('')
    assert.equal(text, plain.body.text)
  })

  it('ask validates its body: exactly one of question or messages', async () => {
    assert.equal((await post('/api/ask', {})).status, 400)
    assert.equal((await post('/api/ask', { question: 'a', messages: [{ role: 'user', content: 'b' }] })).status, 400)
    assert.equal((await post('/api/ask', { question: 'a', bogus: 1 })).status, 400)
    const forced = await post('/api/ask', { question: 'a', expert: 'nobody' })
    assert.equal(forced.status, 404)
  })

  it('experiences: list and search', async () => {
    const list = await get<ExperienceSummary[]>('/api/experiences')
    assert.equal(list.body.length, 2)
    const found = await get<ExperienceSummary[]>('/api/experiences/search?q=udder%20mastitis%20milk&limit=1')
    assert.equal(found.body.length, 1)
    assert.match(found.body[0]!.text, /mastitis/)
    assert.ok((found.body[0]!.score ?? 0) > 0)
    assert.equal((await get('/api/experiences/search')).status, 400)
  })

  it('outcomes: exact and near matches, a recommendation with its evidence, family required', async () => {
    const exact = await get<OutcomeSummary[]>('/api/outcomes?task=crop%20advice&family=qwen2.5-0.5b&tags=agronomy,english')
    assert.equal(exact.status, 200)
    assert.equal(exact.body.length, 1)
    assert.equal(exact.body[0]!.exact, true)
    assert.equal(exact.body[0]!.params.r, 8)
    const near = await get<OutcomeSummary[]>('/api/outcomes?task=crop%20advice&family=qwen2.5-0.5b')
    assert.equal(near.body[0]?.exact, false, 'other tags: found through the near (LSH) keys')
    const rec = await get<Recommendation>('/api/outcomes/recommend?task=crop%20advice&family=qwen2.5-0.5b&tags=agronomy,english')
    assert.equal(rec.status, 200)
    assert.equal(rec.body.params.r, 8)
    assert.equal(rec.body.params.method, 'lora')
    assert.equal(rec.body.evidence[0]!.cid, exact.body[0]!.cid)
    const noFamily = await get('/api/outcomes?task=crop%20advice')
    assert.equal(noFamily.status, 400)
    assert.match(noFamily.body.error.message, /family/)
  })

  it('trust: quarantine list, approve makes a new expert, a second decision conflicts', async () => {
    const q = await get<QuarantineItem[]>('/api/trust/quarantine')
    assert.ok(q.body.some(i => i.cid === node.quarantinedCid))
    const seen: string[] = []
    const off = node.services.subscribe(e => { seen.push(e.type) })
    const ok = await post<ArtifactSummary>(`/api/trust/${node.quarantinedCid}/approve`, { reason: 'checked by hand' })
    off()
    assert.equal(ok.status, 200)
    assert.equal(ok.body.status, 'trusted')
    assert.equal(ok.body.reason, 'approved by the user: checked by hand')
    // the user's decision, journalled with this node's signed vote, as `baobab trust quarantine approve`
    const row = node.library.db.prepare('SELECT decided_by, code, vote_cid FROM trust_decisions WHERE cid = ?').get(node.quarantinedCid) as { decided_by: string, code: string, vote_cid: string }
    assert.equal(row.decided_by, 'user')
    assert.equal(row.code, 'user-approve')
    assert.equal(node.library.get(row.vote_cid)?.kind, 'vote')
    assert.deepEqual(seen, ['admission'])
    const models = await get<{ data: Array<{ id: string }> }>('/v1/models')
    assert.ok(models.body.data.some(m => m.id === 'baobab/beekeeping'))
    const again = await post(`/api/trust/${node.quarantinedCid}/approve`)
    assert.equal(again.status, 409)
    assert.equal((await post('/api/trust/bafynotacid/approve')).status, 404)
    assert.equal((await post('/api/trust/not%20a%20cid/approve')).status, 400)
  })

  it('sync is 503 without a mesh', async () => {
    const r = await post('/api/sync')
    assert.equal(r.status, 503)
    assert.match(r.body.error.message, /mesh is not running/)
  })

  it('events stream node activity as SSE', async () => {
    const ctl = new AbortController()
    const res = await app.request('/api/events', { signal: ctl.signal })
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    const until = async (re: RegExp): Promise<void> => {
      while (!re.test(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        text += value
      }
    }
    await until(/event: ready/)
    node.events.publish({ type: 'peer', message: 'peer 12D3KooWX connected', data: { peer: '12D3KooWX' } })
    await until(/connected/)
    const ev = parseSse(text).find(e => e.event === 'message')!
    assert.equal(JSON.parse(ev.data).type, 'peer')
    const listeners = node.events.size
    await reader.cancel()
    assert.equal(node.events.size, listeners - 1, 'cancelling the stream unsubscribes')
  })

  it('serves /openapi.json and the dashboard with a CSP; no path escapes', async () => {
    const doc = await get<{ openapi: string, paths: Record<string, { post?: unknown }> }>('/openapi.json')
    assert.equal(doc.body.openapi, '3.1.0')
    assert.ok(doc.body.paths['/v1/chat/completions']?.post)
    const page = await app.request('/')
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /text\/html/)
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/)
    assert.match(await page.text(), /<main/)
    const js = await app.request('/app.js')
    assert.match(js.headers.get('content-type') ?? '', /javascript/)
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/.hidden.js', '/index.ts', '/nope.js']) {
      const r = await app.request(p)
      assert.equal(r.status, 404, p)
    }
  })
})
