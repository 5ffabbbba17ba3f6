import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { KINDS } from '../../src/artifacts/index.ts'

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname
const home = mkdtempSync(join(tmpdir(), 'baobab-cli-'))
after(() => { rmSync(home, { recursive: true, force: true }) })

function baobab (...args: string[]) {
  const r = spawnSync(process.execPath, [main, '--home', home, ...args], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('baobab CLI', () => {
  it('init creates a 0600 key and a config; id prints the same peer id', () => {
    const init = baobab('init', '--json')
    assert.equal(init.code, 0, init.err)
    const { peerId } = JSON.parse(init.out) as { peerId: string }
    assert.match(peerId, /^12D3Koo/)
    assert.equal(statSync(join(home, 'key')).mode & 0o777, 0o600)
    assert.equal(baobab('id').out.trim(), peerId)
  })

  it('creates, stores, lists, exports and verifies an artifact of every non-adapter kind', () => {
    const target = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
    const bodies: Record<string, unknown> = {
      experience: { text: 'When goats look pale inside the eyelid, deworm that goat because anaemia signals worms.', domain: 'veterinary', tags: ['goats'], confidence: 0.7, evidence: { groups: 2, meanReward: 0.5 }, sketch: { embedder: 'x', bits: 'AAAA', scale: 0.1 } },
      outcome: { family: 'llama', task: 'qa', tags: ['farm'], dataScale: 's', benchmark: 'kw', baseline: 0.5, score: 0.75, delta: 0.25, method: 'lora', params: { r: 8 }, heldOut: true, nEval: 50, confidence: 0.8 },
      vote: { target, verdict: 1, reason: 'canary-pass' },
      reproduction: { target, measuredDelta: 0.1, nEval: 30 },
      revocation: { target, reason: 'superseded' }
    }
    for (const kind of KINDS.filter(k => k !== 'adapter')) {
      const file = join(home, `${kind}.cbor`)
      const c = baobab('artifact', 'create', kind, '--body', JSON.stringify(bodies[kind]), '-o', file, '--json')
      assert.equal(c.code, 0, c.err)
      const { cid } = JSON.parse(c.out) as { cid: string }
      const listed = JSON.parse(baobab('library', 'list', '--kind', kind, '--json').out) as Array<{ cid: string }>
      assert.ok(listed.some(a => a.cid === cid))
      const exported = join(home, `${kind}.export.cbor`)
      assert.equal(baobab('artifact', 'export', cid, '-o', exported).code, 0)
      const v = baobab('artifact', 'verify', exported, '--cid', cid, '--json')
      assert.equal(v.code, 0, v.err)
      assert.equal((JSON.parse(v.out) as { kind: string }).kind, kind)
    }
    const status = JSON.parse(baobab('status', '--json').out) as { counts: Record<string, number> }
    assert.equal(status.counts.outcome, 1)
  })

  it('an adapter (exemplars and LoRA weights) is added, listed, exported and verified', () => {
    const exemplars = join(home, 'vet.jsonl')
    writeFileSync(exemplars, [
      { instruction: 'My goat is coughing. What should I do?', output: 'Isolate it, check for fever and call the vet if it lasts.' },
      { instruction: 'How often should I deworm sheep?', output: 'Deworm by need: check the eyelids (FAMACHA) every few weeks.' }
    ].map(x => JSON.stringify(x)).join('\n') + '\n')
    const weights = new URL('../fixtures/tiny-lora/llama-2-tiny-random.lora-a.f32.gguf', import.meta.url).pathname
    const add = baobab('adapter', 'add', '--name', 'vet-tiny', '--domain', 'veterinary', '--exemplars', exemplars, '--weights', weights, '--base', 'llama/llama-2-tiny-random', '--json')
    assert.equal(add.code, 0, add.err)
    const { cid } = JSON.parse(add.out) as { cid: string }
    const listed = JSON.parse(baobab('library', 'list', '--kind', 'adapter', '--json').out) as Array<{ cid: string }>
    assert.ok(listed.some(a => a.cid === cid))
    const exported = join(home, 'adapter.export.cbor')
    assert.equal(baobab('artifact', 'export', cid, '-o', exported).code, 0)
    const v = baobab('artifact', 'verify', exported, '--cid', cid, '--json')
    assert.equal(v.code, 0, v.err)
    assert.equal((JSON.parse(v.out) as { kind: string }).kind, 'adapter')
  })

  it('maps errors to exit codes: bad input 2, not found 3', () => {
    const junk = join(home, 'junk.cbor')
    writeFileSync(junk, 'not cbor at all')
    const bad = baobab('artifact', 'verify', junk)
    assert.equal(bad.code, 2)
    assert.match(bad.err, /MalformedArtifactError/)
    assert.equal(baobab('library', 'show', 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku').code, 3)
    assert.equal(baobab('library', 'list', '--kind', 'poem').code, 2)
    assert.equal(baobab('no-such-command').code, 2)
    const badOutcome = baobab('artifact', 'create', 'outcome', '--body', '{"family":"x"}')
    assert.equal(badOutcome.code, 2)
    assert.match(badOutcome.err, /MissingFieldError/)
  })

  it('a corrupt key file is refused with a named error and left alone', () => {
    const other = mkdtempSync(join(tmpdir(), 'baobab-cli-key-'))
    writeFileSync(join(other, 'key'), 'garbage', { mode: 0o600 })
    const r = spawnSync(process.execPath, [main, '--home', other, 'id'], { encoding: 'utf8' })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /InvalidKeyFileError/)
    rmSync(other, { recursive: true, force: true })
  })
})
