/**
 * `baobab start --http` as a user runs it (a separate process), called the way curl or a web
 * page would: the dashboard's own reads work; foreign origins, foreign Host names and
 * form-style writes are refused before anything changes; CORS answers only the configured
 * origin; an approval from the dashboard is journalled as the user's. A token-protected
 * 0.0.0.0 bind keeps working with its token.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createArtifact } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import type { ChildProcess } from 'node:child_process'
import type { IncomingHttpHeaders } from 'node:http'

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname
const WEB_UI = 'http://localhost:3000'
const TOKEN = 'a-long-enough-token-for-the-lan'

interface Reply { status: number, headers: IncomingHttpHeaders, body: string }

/** One HTTP request with exactly these headers (Host included), like `curl -H`. */
async function call (port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { text += d })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }) })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Starts `baobab start --http` on `home`; resolves with the port once the dashboard line is printed. */
async function start (home: string, http: string): Promise<{ proc: ChildProcess, port: number, stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [main, '--home', home, 'start', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', http], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stderr!.on('data', d => { err += String(d) })
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.on('data', d => {
      out += String(d)
      const m = /dashboard http:\/\/[^\s]+:(\d+)\//.exec(out)
      if (m != null) resolve(Number(m[1]))
    })
    proc.once('close', code => { reject(new Error(`baobab start exited with ${code}: ${err.slice(-800)}`)) })
  })
  const stop = async (): Promise<void> => {
    if (proc.exitCode != null) return
    const closed = new Promise(resolve => { proc.once('close', resolve) })
    proc.kill('SIGTERM')
    await closed
  }
  return { proc, port, stop }
}

describe('baobab start --http: only the user calls the API', () => {
  const home = mkdtempSync(join(tmpdir(), 'baobab-gate-'))
  let node: Awaited<ReturnType<typeof start>>
  let port: number
  let held: string

  before(async () => {
    writeFileSync(join(home, 'config.json'), JSON.stringify({ mdns: false, policy: 'strict', http: { listen: '127.0.0.1:0', allowedOrigins: [WEB_UI] } }))
    // one card from an unknown author waits in quarantine (strict policy): what a forged approval would let in
    const library = openLibrary({ home })
    const card = await createArtifact('adapter', {
      name: 'beekeeping', domain: 'apiculture', description: 'Hive care', base: { family: 'any', model: '' }, format: 'card',
      rank: 0, alpha: 0, targets: [], bytes: 0, chunks: [], license: 'CC0-1.0',
      exemplars: [{ q: 'How do I calm bees before opening the hive?', a: 'Use cool smoke at the entrance and wait a minute.' }]
    }, await generateKeyPair('Ed25519'))
    library.put(card, { status: 'quarantined', sourcePeer: '12D3KooWPeerFromNeighbourCoop', reason: 'waiting for a decision' })
    library.close()
    held = card.cid.toString()
    node = await start(home, '127.0.0.1:0')
    port = node.port
  })
  after(async () => {
    await node?.stop()
    rmSync(home, { recursive: true, force: true })
  })

  const own = (): Record<string, string> => ({ origin: `http://127.0.0.1:${port}` })
  const json = { 'content-type': 'application/json' }

  it('the dashboard reads same-origin: 200', async () => {
    const page = await call(port, 'GET', '/')
    assert.equal(page.status, 200)
    assert.match(page.body, /Baobab node/)
    const lib = await call(port, 'GET', '/api/library', own())
    assert.equal(lib.status, 200)
    assert.ok((JSON.parse(lib.body) as Array<{ cid: string }>).some(a => a.cid === held))
  })

  it('a foreign origin cannot add or approve: 403, and the card stays quarantined', async () => {
    const evil = { origin: 'http://evil.example', ...json }
    const add = await call(port, 'POST', '/api/library', evil, JSON.stringify({ bytes: 'AAAA' }))
    assert.equal(add.status, 403)
    assert.match(add.body, /forbidden_origin/)
    assert.equal((await call(port, 'POST', `/api/trust/${held}/approve`, evil, '{}')).status, 403)
    // the "simple request" a page can send without a preflight
    assert.equal((await call(port, 'POST', `/api/trust/${held}/approve`, { origin: 'http://evil.example', 'content-type': 'text/plain' }, '')).status, 403)
    const q = JSON.parse((await call(port, 'GET', '/api/trust/quarantine')).body) as Array<{ cid: string }>
    assert.ok(q.some(i => i.cid === held), 'still quarantined')
  })

  it('a foreign Host (DNS rebinding) is 403; an empty one is refused too', async () => {
    const r = await call(port, 'GET', '/api/library', { host: 'evil.example' })
    assert.equal(r.status, 403)
    assert.match(r.body, /forbidden_host/)
    assert.equal((await call(port, 'GET', '/', { host: `evil.example:${port}` })).status, 403)
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => { s.end('GET /api/library HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n') })
      let text = ''
      s.on('data', d => { text += String(d) })
      s.on('end', () => { resolve(text) })
      s.on('error', reject)
    })
    assert.match(raw, /^HTTP\/1\.1 (400|403) /)
  })

  it('a text/plain write without an Origin is 415', async () => {
    const r = await call(port, 'POST', `/api/trust/${held}/approve`, { 'content-type': 'text/plain' }, '{}')
    assert.equal(r.status, 415)
    assert.equal((await call(port, 'POST', '/api/library', { 'content-type': 'application/x-www-form-urlencoded' }, 'bytes=AAAA')).status, 415)
  })

  it('a preflight from the configured origin gets CORS headers; from a foreign one it does not', async () => {
    const ask = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }
    const ok = await call(port, 'OPTIONS', '/v1/chat/completions', { origin: WEB_UI, ...ask })
    assert.equal(ok.status, 204)
    assert.equal(ok.headers['access-control-allow-origin'], WEB_UI)
    assert.match(String(ok.headers['access-control-allow-headers']), /content-type/)
    const no = await call(port, 'OPTIONS', '/v1/chat/completions', { origin: 'http://evil.example', ...ask })
    assert.equal(no.status, 403)
    assert.equal(no.headers['access-control-allow-origin'], undefined)
    const models = await call(port, 'GET', '/v1/models', { origin: WEB_UI })
    assert.equal(models.status, 200)
    assert.equal(models.headers['access-control-allow-origin'], WEB_UI)
  })

  it('the dashboard\'s approval goes through trust and is journalled as the user\'s decision', async () => {
    const r = await call(port, 'POST', `/api/trust/${held}/approve`, { ...own(), ...json }, JSON.stringify({ reason: 'checked the hive card' }))
    assert.equal(r.status, 200, r.body)
    const a = JSON.parse(r.body) as { status: string, reason: string }
    assert.equal(a.status, 'trusted')
    assert.equal(a.reason, 'approved by the user: checked the hive card')
    const votes = JSON.parse((await call(port, 'GET', '/api/library?kind=vote')).body) as Array<{ cid: string }>
    assert.equal(votes.length, 1, 'this node signed a vote for its decision')
  })

  it('`library rm` removes through trust, as DELETE does: the decision and vote index go with the artifact', async () => {
    await node.stop()
    const before = openLibrary({ home })
    assert.equal((before.db.prepare('SELECT decided_by FROM trust_decisions WHERE cid = ?').get(held) as { decided_by: string }).decided_by, 'user')
    before.close()
    const rm = spawnSync(process.execPath, [main, '--home', home, 'library', 'rm', held, '--json'], { encoding: 'utf8' })
    assert.equal(rm.status, 0, rm.stderr)
    const library = openLibrary({ home })
    try {
      assert.equal(library.get(held), undefined)
      assert.equal(library.db.prepare('SELECT 1 FROM trust_decisions WHERE cid = ?').get(held), undefined)
    } finally {
      library.close()
    }
  })

  it('a malformed allow-list in config.json stops start with a message naming the field', () => {
    const bad = mkdtempSync(join(tmpdir(), 'baobab-gate-bad-'))
    try {
      writeFileSync(join(bad, 'config.json'), JSON.stringify({ http: { listen: '127.0.0.1:0', allowedOrigins: ['localhost:3000'] } }))
      const r = spawnSync(process.execPath, [main, '--home', bad, 'start', '--http'], { encoding: 'utf8', timeout: 60_000 })
      assert.notEqual(r.status, 0)
      assert.match(r.stderr, /ConfigError: .*"http\.allowedOrigins": "localhost:3000" is not an origin/)
      writeFileSync(join(bad, 'config.json'), JSON.stringify({ http: { listen: '127.0.0.1:0', allowedHosts: 'baobab.lan' } }))
      assert.match(spawnSync(process.execPath, [main, '--home', bad, 'status'], { encoding: 'utf8', timeout: 60_000 }).stderr, /"http\.allowedHosts" must be a list of strings/)
    } finally {
      rmSync(bad, { recursive: true, force: true })
    }
  })

  it('a token-protected 0.0.0.0 bind still works with its token (and still checks Host)', async () => {
    const lan = mkdtempSync(join(tmpdir(), 'baobab-gate-lan-'))
    writeFileSync(join(lan, 'config.json'), JSON.stringify({ mdns: false, http: { listen: '0.0.0.0:0', token: TOKEN } }))
    const n = await start(lan, '0.0.0.0:0')
    try {
      assert.equal((await call(n.port, 'GET', '/v1/models')).status, 401)
      assert.equal((await call(n.port, 'GET', '/v1/models', { authorization: `Bearer ${TOKEN}` })).status, 200)
      assert.equal((await call(n.port, 'GET', '/v1/models', { authorization: `Bearer ${TOKEN}`, host: 'evil.example' })).status, 403)
    } finally {
      await n.stop()
      rmSync(lan, { recursive: true, force: true })
    }
  })
})
