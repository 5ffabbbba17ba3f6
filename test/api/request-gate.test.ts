/**
 * Who may call the API, in process (`app.request`): the Host allow-list, the Origin check,
 * JSON-only writes and CORS for configured origins only; each rule on its own, then the
 * allow-list parsers that `config.json` goes through.
 */
import assert from 'node:assert/strict'
import { hostname, networkInterfaces } from 'node:os'
import { after, before, describe, it } from 'node:test'
import { createApi, InvalidApiOptionsError, parseAllowedHosts, parseAllowedOrigins } from '../../src/api/index.ts'
import { RequestGate } from '../../src/api/request-gate.ts'
import { demoNode } from './fixtures/demo-services.ts'
import type { DemoNode } from './fixtures/demo-services.ts'
import type { Hono } from 'hono'

const WEB_UI = 'http://localhost:3000'

describe('request gate: Host, Origin, Content-Type, CORS', () => {
  let node: DemoNode
  let app: Hono
  before(async () => {
    node = await demoNode()
    app = createApi(node.services, { rateLimit: false, allowedHosts: ['baobab.lan'], allowedOrigins: [WEB_UI] })
  })
  after(async () => { await node.close() })

  const code = async (res: Response): Promise<string> => ((await res.json()) as { error: { code: string } }).error.code
  const json = { 'content-type': 'application/json' }

  it('Host: loopback names and addresses and configured names pass; anything else, or none, is 403', async () => {
    for (const host of ['127.0.0.1:7777', 'localhost:7777', 'LOCALHOST', '[::1]:7777', '127.0.0.2', 'app.localhost:7777', 'baobab.lan:7777', 'baobab.lan.']) {
      assert.equal((await app.request('/api/status', { headers: { host } })).status, 200, host)
    }
    for (const host of ['evil.example', 'evil.example:7777', '127.0.0.1.evil.example', '0.0.0.0:7777', '192.168.1.5', 'localhost.evil.example', '']) {
      const res = await app.request('/api/library', { headers: { host } })
      assert.equal(res.status, 403, `Host: ${host}`)
      assert.equal(await code(res), 'forbidden_host')
    }
    // the dashboard files too: a rebinding page must not read anything
    assert.equal((await app.request('/', { headers: { host: 'evil.example' } })).status, 403)
  })

  it('Origin: the server\'s own origin and configured ones pass; foreign, "null" and malformed ones are 403', async () => {
    const host = '127.0.0.1:7777'
    assert.equal((await app.request('/api/status', { headers: { host, origin: 'http://127.0.0.1:7777' } })).status, 200)
    assert.equal((await app.request('/api/status', { headers: { host, origin: WEB_UI } })).status, 200)
    for (const origin of ['http://evil.example', 'http://127.0.0.1:7778', 'https://127.0.0.1:7777', 'http://localhost:3001', 'null', 'not a url']) {
      const res = await app.request('/api/status', { headers: { host, origin } })
      assert.equal(res.status, 403, `Origin: ${origin}`)
      assert.equal(await code(res), 'forbidden_origin')
    }
  })

  it('a foreign page cannot write: add, approve, delete are 403 and nothing changes', async () => {
    const before = node.library.list().map(a => `${a.cid.toString()}:${a.status}`).sort()
    const evil = { origin: 'http://evil.example', ...json }
    assert.equal((await app.request('/api/library', { method: 'POST', headers: evil, body: '{"bytes":"AAAA"}' })).status, 403)
    assert.equal((await app.request(`/api/trust/${node.quarantinedCid}/approve`, { method: 'POST', headers: evil, body: '{}' })).status, 403)
    assert.equal((await app.request(`/api/library/${node.quarantinedCid}`, { method: 'DELETE', headers: evil })).status, 403)
    assert.equal((await app.request('/v1/chat/completions', { method: 'POST', headers: evil, body: '{}' })).status, 403)
    assert.deepEqual(node.library.list().map(a => `${a.cid.toString()}:${a.status}`).sort(), before)
  })

  it('writes need Content-Type: application/json (or the artifact\'s binary type on /api/library), else 415', async () => {
    for (const [path, method] of [[`/api/trust/${node.quarantinedCid}/approve`, 'POST'], ['/api/library', 'POST'], [`/api/library/${node.quarantinedCid}`, 'DELETE'], ['/api/sync', 'POST']] as const) {
      for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await app.request(path, { method, headers: type != null ? { 'content-type': type } : {}, body: method === 'POST' ? '{}' : null })
        assert.equal(res.status, 415, `${method} ${path} as ${type ?? '(none)'}`)
        assert.equal(await code(res), 'unsupported_media_type')
      }
    }
    assert.equal(node.library.get(node.quarantinedCid)?.status, 'quarantined', 'nothing was approved')
    // JSON with parameters passes the gate (the route then answers), binary only where bytes are taken
    assert.equal((await app.request('/api/sync', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' } })).status, 503)
    assert.equal((await app.request('/api/library', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([1, 2]) })).status, 400)
    assert.equal((await app.request('/api/sync', { method: 'POST', headers: { 'content-type': 'application/octet-stream' } })).status, 415)
    // reads are not affected
    assert.equal((await app.request('/api/library', { headers: { 'content-type': 'text/plain' } })).status, 200)
  })

  it('CORS: a configured origin gets a preflight answer and headers; a foreign one gets neither', async () => {
    const preflight = (origin: string): Request => new Request('http://127.0.0.1:7777/v1/chat/completions', {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' }
    })
    const ok = await app.request(preflight(WEB_UI))
    assert.equal(ok.status, 204)
    assert.equal(ok.headers.get('access-control-allow-origin'), WEB_UI)
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/)
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /authorization/)
    const no = await app.request(preflight('http://evil.example'))
    assert.equal(no.status, 403)
    assert.equal(no.headers.get('access-control-allow-origin'), null)
    // an actual request from the configured origin carries the header, errors included
    const models = await app.request('/v1/models', { headers: { origin: WEB_UI } })
    assert.equal(models.headers.get('access-control-allow-origin'), WEB_UI)
    assert.match(models.headers.get('vary') ?? '', /origin/i)
    const bad = await app.request('/v1/chat/completions', { method: 'POST', headers: { origin: WEB_UI, ...json }, body: '{' })
    assert.equal(bad.status, 400)
    assert.equal(bad.headers.get('access-control-allow-origin'), WEB_UI)
    // the dashboard's own origin needs no CORS headers
    assert.equal((await app.request('/api/status', { headers: { origin: 'http://localhost' } })).headers.get('access-control-allow-origin'), null)
  })

  it('with a token, preflights from a configured origin pass without it; everything else still needs it', async () => {
    const a = createApi(node.services, { rateLimit: false, token: 'a-long-enough-token-123', allowedOrigins: [WEB_UI] })
    const pre = await a.request('/v1/models', { method: 'OPTIONS', headers: { origin: WEB_UI, 'access-control-request-method': 'GET' } })
    assert.equal(pre.status, 204)
    assert.equal((await a.request('/v1/models', { headers: { origin: WEB_UI } })).status, 401)
    assert.equal((await a.request('/v1/models', { headers: { origin: WEB_UI, authorization: 'Bearer a-long-enough-token-123' } })).status, 200)
  })

  it('the bind address and, for 0.0.0.0, the machine\'s addresses are names of the server', () => {
    const g = new RequestGate()
    assert.equal(g.hostAllowed('10.1.2.3:7777'), false)
    g.bind('10.1.2.3')
    assert.equal(g.hostAllowed('10.1.2.3:7777'), true)
    assert.equal(g.hostAllowed('10.1.2.4:7777'), false)
    const any = new RequestGate()
    any.bind('0.0.0.0')
    assert.equal(any.hostAllowed('127.0.0.1'), true)
    assert.equal(any.hostAllowed('evil.example'), false)
    assert.equal(any.hostAllowed(hostname()), true)
    const lan = Object.values(networkInterfaces()).flat().find(a => a != null && !a.internal)
    if (lan != null) {
      assert.equal(any.hostAllowed(lan.family === 'IPv6' ? `[${lan.address}]:7777` : `${lan.address}:7777`), true)
      assert.equal(g.hostAllowed(`${lan.address}`), lan.address === '10.1.2.3')
    }
    assert.equal(any.hostAllowed('203.0.113.9'), false)
    assert.equal(new RequestGate({ allowedHosts: ['*'] }).hostAllowed('anything.example'), true)
    assert.equal(new RequestGate({ allowedOrigins: ['*'] }).originConfigured('http://anything.example'), true)
  })

  it('allow-lists are checked: host names without scheme, origins without path', () => {
    assert.deepEqual(parseAllowedHosts(['Baobab.LAN', 'box:7777', '[::1]', '*']), ['baobab.lan', 'box', '::1', '*'])
    assert.deepEqual(parseAllowedOrigins(['http://localhost:3000', 'https://ui.example/', '*']), ['http://localhost:3000', 'https://ui.example', '*'])
    for (const bad of ['http://x.example', 'a b', '']) assert.throws(() => parseAllowedHosts([bad]), InvalidApiOptionsError, bad)
    for (const bad of ['localhost:3000', 'http://ui.example/path', 'ftp://ui.example', 'http://ui.example?x=1', '']) assert.throws(() => parseAllowedOrigins([bad]), InvalidApiOptionsError, bad)
    assert.throws(() => createApi(node.services, { allowedOrigins: ['ui.example'] }), InvalidApiOptionsError)
  })
})
