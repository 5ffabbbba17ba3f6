/**
 * `baobab outcome` on a node alone (real binary, mDNS off, no bootstrap): publishing stores the
 * packet and answers at once with what the network part did, recommending cites it, and a packet
 * over 512 bytes is shortened with a warning that names what was dropped.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname
const home = mkdtempSync(join(tmpdir(), 'baobab-outcome-cli-'))

/** Runs the real `baobab` binary; a generous limit only so that a hang fails instead of stalling. */
async function baobab (...args: string[]): Promise<{ code: number | null, out: string, err: string }> {
  const child = spawn(process.execPath, [main, '--home', home, ...args], { env: { ...process.env, BAOBAB_HOME: home }, timeout: 90_000 })
  let out = ''
  let err = ''
  child.stdout.on('data', (b: Buffer) => { out += b.toString() })
  child.stderr.on('data', (b: Buffer) => { err += b.toString() })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, out, err }
}

const PUBLISH = ['outcome', 'publish', '--family', 'qwen2.5-0.5b', '--task', 'clinical note summarization', '--tags', 'healthcare,soap-notes,en',
  '--benchmark', 'medqa-4opt', '--baseline', '0.50', '--score', '0.62', '--method', 'lora', '--params', '{"lora_rank":16}', '--n-eval', '200', '--confidence', '0.8']

interface Published { cid: string, bytes: number, keys: string[], warnings: string[], pending: number, network: { peers?: number, asked: number, skipped?: string } }

describe('baobab outcome on a node with no peers', { timeout: 300_000 }, () => {
  before(() => { writeFileSync(join(home, 'config.json'), JSON.stringify({ mdns: false, bootstrap: [], listen: ['/ip4/127.0.0.1/tcp/0'] })) })
  after(() => { rmSync(home, { recursive: true, force: true }) })
  let published: Published

  it('publish --json stores the packet, says no peer was there and exits 0', async () => {
    const r = await baobab(...PUBLISH, '--json')
    assert.equal(r.code, 0, r.err)
    published = JSON.parse(r.out) as Published
    assert.match(published.cid, /^bafy/)
    assert.ok(published.bytes > 0 && published.bytes <= 512, `bytes ${published.bytes}`)
    assert.equal(published.network.peers, 0)
    assert.equal(published.network.asked, 0)
    assert.equal(published.network.skipped, 'no peers connected')
    assert.equal(published.pending, published.keys.length)
    assert.ok(published.warnings.some(w => /puts it on the DHT when peers appear/.test(w)), published.warnings.join('\n'))
  })

  it('recommend --json on that node cites the packet for a similar task, with its evidence', async () => {
    const r = await baobab('outcome', 'recommend', '--family', 'qwen2.5-0.5b', '--task', "summarising doctor's notes", '--tags', 'healthcare', '--json')
    assert.equal(r.code, 0, r.err)
    const rec = JSON.parse(r.out) as { method: string, evidence: Array<{ cid: string }>, explained: Array<{ setting: string, evidence: Array<{ cid: string, reproduced: string }> }>, query: { network: { skipped?: string } } }
    assert.equal(rec.method, 'lora')
    assert.deepEqual(rec.evidence.map(e => e.cid), [published.cid])
    assert.equal(rec.query.network.skipped, 'no peers connected')
    const rank = rec.explained.find(x => x.setting === 'r')
    assert.ok(rank != null, JSON.stringify(rec.explained))
    assert.deepEqual(rank.evidence.map(e => [e.cid, e.reproduced]), [[published.cid, 'not yet']])
  })

  it('recommend in text explains each setting with its evidence packets and the expected delta', async () => {
    const r = await baobab('outcome', 'recommend', '--family', 'qwen2.5-0.5b', '--task', "summarising doctor's notes", '--tags', 'healthcare')
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /method lora/)
    assert.match(r.out, /r = 16/)
    assert.match(r.out, new RegExp(`${published.cid}.*Δ \\+0\\.1200 n=200 not reproduced yet`))
    assert.match(r.out, /expected delta \+0\.1200 \(95% interval/)
    assert.match(r.err, /network: no peers connected \(0 connected peers\)/)
  })

  it('a packet over 512 bytes is shortened with a warning that names what was dropped', async () => {
    const params = JSON.stringify({ r: 16, lr: 0.0002, alpha: 32, dropout: 0.05, warmup_ratio: 0.03, scheduler: 'cosine-with-hard-restarts', warmup_steps: 500, weight_decay: 0.01, gradient_checkpointing: true })
    const tags = 'healthcare,soap-notes,english-language,clinical-documentation,primary-care-records,outpatient'
    const r = await baobab('outcome', 'publish', '--family', 'qwen2.5-0.5b', '--task', 'clinical note summarization for outpatient visits',
      '--tags', tags, '--benchmark', 'medqa-4opt-and-rouge-l-combined', '--baseline', '0.5', '--score', '0.6', '--method', 'lora', '--params', params,
      '--n-eval', '200', '--confidence', '0.8', '--json')
    assert.equal(r.code, 0, r.err)
    const p = JSON.parse(r.out) as Published
    assert.ok(p.bytes <= 512, `bytes ${p.bytes}`)
    assert.ok(p.warnings.some(w => /^dropped (param|tag) ".+" to fit 512 bytes/.test(w)), p.warnings.join('\n'))
    const refused = await baobab('outcome', 'publish', '--family', 'qwen2.5-0.5b', '--task', 'clinical note summarization for outpatient visits',
      '--tags', tags, '--benchmark', 'medqa-4opt-and-rouge-l-combined', '--baseline', '0.5', '--score', '0.6', '--method', 'lora', '--params', params,
      '--n-eval', '200', '--confidence', '0.8', '--no-shorten', '--json')
    assert.notEqual(refused.code, 0)
    assert.match(refused.err, /OutcomePacketTooLargeError/)
  })
})
