/**
 * Review screenshots of the dashboard → docs/screenshots/*.png. Not a benchmark (the leading
 * underscore keeps `npm run bench` from running it): `node bench/_dashboard-screenshots.ts`.
 * Needs Debian's /usr/bin/chromium. Drives the real server over the demo node (mesh on
 * loopback, one real peer), the way a person would: asks questions, approves the quarantined
 * card, syncs with the peer, searches outcomes.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createApi, serveApi } from '../src/api/index.ts'
import { demoNode, peerNode } from '../test/api/fixtures/demo-services.ts'

const CHROMIUM = '/usr/bin/chromium'
const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url))

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is absent: apt-get install chromium`)
  process.exit(2)
}
mkdirSync(OUT, { recursive: true })
const node = await demoNode({ mesh: true })
const peer = await peerNode()
const served = await serveApi(createApi(node.services), { host: '127.0.0.1', port: 0 })
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
  await page.goto(served.url)
  await page.locator('body[data-ready="true"]').waitFor()
  await page.locator('#live-state[data-state="live"]').waitFor()

  await page.getByLabel('Question').fill('How much water does a cow need for each litre of milk?')
  await page.getByRole('button', { name: 'Ask', exact: true }).click()
  await page.locator('#route-chosen').waitFor()
  await page.getByLabel('Question').fill('My cow has a hot swollen udder and clotted milk. What is it?')
  await page.getByRole('button', { name: 'Ask', exact: true }).click()
  await page.locator('#route-chosen', { hasText: 'veterinary' }).waitFor()
  await page.locator('#ask').screenshot({ path: `${OUT}routing-panel.png` })

  await node.node.mesh!.dial(peer.node.mesh!.multiaddrs()[0]!)
  await page.locator('#activity li[data-type="peer"]').first().waitFor()
  await page.getByRole('button', { name: 'Sync now' }).click()
  await page.locator('#notice', { hasText: /Synced with 1 peer/ }).waitFor()
  await page.locator('#trust').getByRole('button', { name: 'Approve beekeeping' }).click()
  await page.locator('#quarantine li', { hasText: 'Quarantine is empty.' }).waitFor()
  await page.getByLabel('Task').fill('crop advice')
  await page.getByLabel('Model family').fill('qwen2.5-0.5b')
  await page.getByLabel('Tags').fill('agronomy, english')
  await page.getByRole('button', { name: 'Recommend' }).click()
  await page.locator('#outcome-result', { hasText: 'Recommended for' }).waitFor()
  await page.evaluate(() => { window.scrollTo(0, 0) })
  await page.screenshot({ path: `${OUT}dashboard.png`, fullPage: true })

  await page.getByLabel('Question').fill('Who won the football match yesterday?')
  await page.getByRole('button', { name: 'Ask', exact: true }).click()
  await page.locator('#route-chosen', { hasText: 'Abstained' }).waitFor()
  await page.locator('#ask').screenshot({ path: `${OUT}routing-abstain.png` })
  console.log(`wrote ${OUT}{dashboard,routing-panel,routing-abstain}.png`)
} finally {
  await browser.close()
  await served.close()
  await node.close()
  await peer.close()
}
