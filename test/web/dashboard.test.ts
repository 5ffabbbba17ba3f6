/**
 * The dashboard in real headless Chromium (Debian `chromium` + playwright-core) against a real
 * server on 127.0.0.1 over a real node with its mesh on loopback and a second real node as its
 * peer: page loads, ask → routing panel shows the right expert, quarantine approve works, the
 * peer and a sync arrive live over SSE. Screenshots go to a temp dir (path printed).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromium } from 'playwright-core'
import { createApi, serveApi } from '../../src/api/index.ts'
import { demoNode, peerNode } from '../api/fixtures/demo-services.ts'
import type { ServedApi } from '../../src/api/index.ts'
import type { DemoNode } from '../api/fixtures/demo-services.ts'
import type { Browser, Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const haveChromium = existsSync(CHROMIUM)

describe('web dashboard in Chromium', { skip: haveChromium ? false : `${CHROMIUM} is absent (apt-get install chromium)` }, () => {
  let node: DemoNode
  let peer: Awaited<ReturnType<typeof peerNode>>
  let served: ServedApi
  let browser: Browser
  let page: Page
  const problems: string[] = []
  const shots = mkdtempSync(join(tmpdir(), 'baobab-dashboard-'))

  before(async () => {
    node = await demoNode({ mesh: true })
    peer = await peerNode()
    served = await serveApi(createApi(node.services), { host: '127.0.0.1', port: 0 })
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    page.setDefaultTimeout(10_000)
    page.on('pageerror', (err) => { problems.push(`pageerror: ${err.message}`) })
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`) })
    await page.goto(served.url)
    await page.locator('body[data-ready="true"]').waitFor()
  })
  after(async () => {
    await browser?.close()
    await served?.close()
    await node?.close()
    await peer?.close()
    console.log(`# dashboard screenshots: ${shots}`)
  })

  it('loads with the node summary, library, trust view and a live event stream', async () => {
    assert.equal(await page.title(), 'Baobab node')
    assert.equal(await page.locator('#sum-network').textContent(), 'default')
    assert.match(await page.locator('#sum-library').textContent() ?? '', /6 adapters · 2 experiences · 1 outcomes · 1 quarantined/)
    assert.equal(await page.locator('#library-rows tr').count(), 9)
    await page.locator('#live-state[data-state="live"]').waitFor()
    assert.equal(await page.locator('#quarantine > li').count(), 1)
    // the checks this node can run on what peers send (retrieval runtime: no model for any of them)
    assert.equal(await page.locator('#trust-checks > li').count(), 3)
    assert.match(await page.locator('#trust-checks li[data-check="canary"]').textContent() ?? '', /Adapter canary: not here — no local model to run the canary/)
    assert.equal(await page.locator('#ask-expert option').count(), 6)
    await page.screenshot({ path: join(shots, 'loaded.png'), fullPage: true })
  })

  it('the first Tab reaches the skip link, which moves focus to the Ask box', async () => {
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to the Ask box')
    await page.keyboard.press('Enter')
    assert.match(page.url(), /#ask$/)
  })

  it('ask → the routing panel shows the chosen expert, a bar per expert, the threshold and the evidence', async () => {
    await page.getByLabel('Question').fill('My cow has a hot swollen udder and clotted milk. What is it?')
    await page.getByLabel('Question').press('Control+Enter')
    await page.locator('#route-chosen', { hasText: 'veterinary' }).waitFor()
    const rows = page.locator('#route-scores [role="listitem"]')
    assert.equal(await rows.count(), 5)
    assert.equal(await page.locator('#route-scores .score-row.chosen').getAttribute('data-expert'), 'veterinary')
    assert.equal(await page.locator('#route-scores .threshold').count(), 5)
    const widths = await page.locator('#route-scores .fill').evaluateAll(els => els.map(e => (e as HTMLElement).getBoundingClientRect().width))
    assert.ok(widths[0]! > widths[1]!, 'the chosen expert has the longest bar')
    assert.match(await page.locator('#answer').textContent() ?? '', /mastitis/)
    assert.match(await page.locator('#route-exemplars').textContent() ?? '', /udder/)
    assert.match(await page.locator('#route-experiences').textContent() ?? '', /mastitis/)
    assert.equal(await page.locator('#answer').getAttribute('aria-live'), 'polite')
    await page.locator('#activity li[data-type="route"]').first().waitFor()
    await page.locator('#ask').screenshot({ path: join(shots, 'ask-routing.png') })
  })

  it('abstains visibly on an unrelated question', async () => {
    await page.getByLabel('Question').fill('Who won the football match yesterday?')
    await page.getByRole('button', { name: 'Ask', exact: true }).click()
    await page.locator('#route-chosen', { hasText: 'Abstained' }).waitFor()
    assert.equal(await page.locator('#route-scores .score-row.chosen').count(), 0)
  })

  it('quarantine approve makes the artifact trusted and a new expert appears', async () => {
    await page.locator('#trust').getByRole('button', { name: 'Approve beekeeping' }).click()
    await page.locator('#notice', { hasText: 'beekeeping is now trusted' }).waitFor()
    await page.locator('#quarantine li', { hasText: 'Quarantine is empty.' }).waitFor()
    assert.equal(node.library.get(node.quarantinedCid)?.status, 'trusted')
    await page.locator('#ask-expert option[value="beekeeping"]').waitFor({ state: 'attached' })
    await page.locator('#activity li[data-type="admission"]').first().waitFor()
    await page.locator('#library-filter select#lib-status').selectOption('trusted')
    await page.locator('#library-rows tr[data-cid="' + node.quarantinedCid + '"]').waitFor()
    await page.locator('#trust').screenshot({ path: join(shots, 'trust-after-approve.png') })
  })

  it('a real peer connects, and Sync now brings its card in, live', async () => {
    assert.equal(await page.locator('#sum-peers').textContent(), '0')
    const peerId = await node.node.mesh!.dial(peer.node.mesh!.multiaddrs()[0]!)
    await page.locator('#activity li[data-type="peer"]', { hasText: 'connected' }).waitFor()
    await page.locator(`#peers td[title="${peerId}"]`).waitFor()
    assert.equal(await page.locator('#sum-peers').textContent(), '1')
    await page.getByRole('button', { name: 'Sync now' }).click()
    await page.locator('#notice', { hasText: /Synced with 1 peer/ }).waitFor()
    await page.locator('#ask-expert option[value="poultry"]').waitFor({ state: 'attached' })
    assert.equal(node.library.get(peer.cardCid)?.status, 'trusted')
    await page.locator(`#activity li[data-type="admission"] code[data-id="${peer.cardCid}"]`).first().waitFor()
    await page.locator(`#activity li[data-type="sync"] code[data-id="${peerId}"]`).first().waitFor()
    await page.locator('#network').screenshot({ path: join(shots, 'network.png') })
  })

  it('outcome search lists packets; recommend shows the synthesised configuration', async () => {
    await page.getByLabel('Task').fill('crop advice')
    await page.getByLabel('Model family').fill('qwen2.5-0.5b')
    await page.getByLabel('Tags').fill('agronomy, english')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.locator('#outcome-result td', { hasText: '+0.11' }).waitFor()
    await page.getByRole('button', { name: 'Recommend' }).click()
    await page.locator('#outcome-result', { hasText: 'Recommended for crop advice on qwen2.5-0.5b' }).waitFor()
    assert.match(await page.locator('#outcome-result').textContent() ?? '', /r = 8/)
  })

  it('logged no page errors', () => {
    assert.deepEqual(problems, [])
  })
})
