/**
 * A hostile page in real headless Chromium (Debian `chromium` + playwright-core), served from
 * another origin on 127.0.0.1, tries what any web page can: a "simple" cross-site POST that
 * needs no preflight, a form post, a JSON write (preflighted) and a read of the library. The
 * node's API refuses them all and the quarantined card stays quarantined. As a control, the
 * same page on an origin listed in `allowedOrigins` can read (CORS), and still cannot write
 * with a form.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { existsSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { chromium } from 'playwright-core'
import { createApi, serveApi } from '../../src/api/index.ts'
import { demoNode } from '../api/fixtures/demo-services.ts'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ApiOptions, ServedApi } from '../../src/api/index.ts'
import type { DemoNode } from '../api/fixtures/demo-services.ts'
import type { Browser } from 'playwright-core'

// as test/web/dashboard.test.ts (importing it would run its suite here too)
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const haveChromium = existsSync(CHROMIUM)

/** The attack page: every result it can observe ends up in `window.results`. */
function attackPage (api: string, cid: string): string {
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${api}/api/trust/${cid}/approve" enctype="text/plain" target="sink"><input name='{"reason":"x' value='"}'></form>
<iframe name="sink"></iframe>
<script>
window.results = {}
const note = (k, v) => { window.results[k] = v }
fetch('${api}/api/trust/${cid}/approve', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' })
  .then(r => note('simplePost', r.type), e => note('simplePost', 'error ' + e.name))
  .then(() => fetch('${api}/api/trust/${cid}/approve', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))
  .then(r => note('jsonPost', r.status), e => note('jsonPost', 'error ' + e.name))
  .then(() => fetch('${api}/api/library'))
  .then(async r => note('read', r.status + ' ' + (await r.text()).slice(0, 20)), e => note('read', 'error ' + e.name))
  .then(() => {
    // the form posts into the iframe; its load means the server has answered
    document.querySelector('iframe').addEventListener('load', () => note('done', true), { once: true })
    document.getElementById('f').submit()
  })
</script></body></html>`
}

describe('a cross-site page in Chromium cannot use the API', { skip: haveChromium ? false : `${CHROMIUM} is absent (apt-get install chromium)` }, () => {
  let node: DemoNode
  let evil: Server
  let evilOrigin: string
  let browser: Browser
  const seen: Array<{ method: string, path: string, status: number, origin: string | undefined }> = []
  const servers: ServedApi[] = []

  before(async () => {
    node = await demoNode()
    evil = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x')
      res.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(u.searchParams.get('api') ?? '', node.quarantinedCid))
    })
    await new Promise<void>(resolve => { evil.listen(0, '127.0.0.1', resolve) })
    evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  })
  after(async () => {
    await browser?.close()
    for (const s of servers) await s.close()
    await new Promise(resolve => { evil?.close(resolve) })
    await node?.close()
  })

  /** Serves the node's API with `options`, opens the attack page against it, returns what the page saw. */
  async function attack (options: ApiOptions): Promise<Record<string, unknown>> {
    const served = await serveApi(createApi(node.services, { rateLimit: false, ...options }), { host: '127.0.0.1', port: 0 })
    servers.push(served)
    served.server.on('request', (req, res) => {
      res.on('finish', () => { seen.push({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, origin: req.headers.origin }) })
    })
    const page = await browser.newPage()
    try {
      const api = served.url.replace(/\/$/, '')
      await page.goto(`${evilOrigin}/?api=${encodeURIComponent(api)}`)
      await page.waitForFunction(() => (window as unknown as { results: { done?: boolean } }).results.done === true, undefined, { timeout: 10_000 })
      return await page.evaluate(() => (window as unknown as { results: Record<string, unknown> }).results)
    } finally {
      await page.close()
    }
  }

  it('default: every request from the page is refused (403) and nothing changes', async () => {
    seen.length = 0
    const r = await attack({})
    assert.equal(r.simplePost, 'opaque', 'the browser sent the simple POST')
    assert.equal(r.jsonPost, 'error TypeError', 'the preflighted JSON write fails')
    assert.equal(r.read, 'error TypeError', 'the page cannot read the library')
    const fromPage = seen.filter(s => s.origin === evilOrigin)
    console.log('# from the page:', fromPage.map(s => `${s.method} ${s.path.replace(/bafy\w+/, '<cid>')} → ${s.status}`).join(', '))
    assert.ok(fromPage.length >= 3, JSON.stringify(seen))
    for (const s of fromPage) assert.equal(s.status, 403, `${s.method} ${s.path}`)
    assert.ok(fromPage.some(s => s.method === 'POST'), 'a write reached the server and was refused')
    assert.equal(node.library.get(node.quarantinedCid)?.status, 'quarantined')
  })

  it('control: with the page\'s origin allowed, it reads over CORS, but a form still cannot write', async () => {
    seen.length = 0
    const r = await attack({ allowedOrigins: [evilOrigin] })
    assert.match(String(r.read), /^200 \[/, 'the allowed origin reads the library')
    assert.equal(r.jsonPost, 200, 'and may write JSON after its preflight')
    const writes = seen.filter(s => s.origin === evilOrigin && s.method === 'POST')
    assert.ok(writes.length >= 1, JSON.stringify(seen))
    // the simple POST and the form are text/plain: 415; only the JSON write got through
    assert.deepEqual(writes.map(s => s.status).sort(), [200, 415, 415], JSON.stringify(writes))
  })
})
