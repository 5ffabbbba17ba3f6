/**
 * Sneakernet through the CLI: an adapter with LoRA weights leaves one home in a CAR file and
 * enters another through that node's trust pipeline (a file is as untrusted as a peer).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openLibrary } from '../../src/library/index.ts'

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'baobab-car-cli-'))
after(() => { rmSync(dir, { recursive: true, force: true }) })

function baobab (home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [main, '--home', join(dir, home), ...args], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('baobab export / import', () => {
  it('moves an adapter and its weights through a file; the receiver quarantines it until it trusts the author', () => {
    const exemplars = join(dir, 'fish.jsonl')
    writeFileSync(exemplars, JSON.stringify({ q: 'Why are my tilapia gulping air at dawn?', a: 'Dissolved oxygen is low: stop feeding and aerate.' }) + '\n')
    const weights = new URL('../fixtures/tiny-lora/llama-2-tiny-random.lora-b.f16.gguf', import.meta.url).pathname
    const add = baobab('a', 'adapter', 'add', '--name', 'fish', '--domain', 'aquaculture', '--exemplars', exemplars, '--weights', weights, '--base', 'llama/llama-2-tiny-random', '--json')
    assert.equal(add.code, 0, add.err)
    const { cid } = JSON.parse(add.out) as { cid: string }
    const authorA = baobab('a', 'id').out.trim()
    const car = join(dir, 'fish.car')
    const exp = baobab('a', 'export', '--to', car, '--kind', 'adapter', '--json')
    assert.equal(exp.code, 0, exp.err)
    assert.equal((JSON.parse(exp.out) as { artifacts: number, chunks: number }).artifacts, 1)

    const imp = baobab('b', 'import', car, '--json')
    assert.equal(imp.code, 0, imp.err)
    const admitted = (JSON.parse(imp.out) as { admitted: Array<{ cid: string, status: string, reason?: string }> }).admitted
    const got = admitted.find(a => a.cid === cid)
    assert.equal(got?.status, 'quarantined', 'community policy: weights from an unknown author wait for a canary or trust')
    assert.match(got?.reason ?? '', /canary|votes|allow/)

    assert.equal(baobab('b', 'trust', 'allow', authorA).code, 0)
    assert.equal(baobab('b', 'trust', 'recheck').code, 0)
    const shown = JSON.parse(baobab('b', 'library', 'show', cid, '--json').out) as { status: string }
    assert.equal(shown.status, 'trusted')
    // the same weight bytes arrived, chunk by chunk
    const chunks = (JSON.parse(baobab('b', 'library', 'show', cid, '--json').out) as { envelope: { body: { chunks: string[] } } }).envelope.body.chunks
    const library = openLibrary({ home: join(dir, 'b') })
    try {
      assert.deepEqual(Buffer.concat(chunks.map(c => library.blobs.get(String(c)))), readFileSync(weights))
    } finally {
      library.close()
    }
  })
})
