/**
 * `baobab adapter add`, `baobab route` and `baobab ask`, run in process on a real home folder
 * (SQLite library, blob store, identity key) with the commands' own registration functions.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

const home = mkdtempSync(join(tmpdir(), 'baobab-route-cli-'))
const data = (f: string): string => fileURLToPath(new URL(`../../data/communities/${f}.jsonl`, import.meta.url))
const LORA = fileURLToPath(new URL('../fixtures/tiny-lora/llama-2-tiny-random.lora-a.f32.gguf', import.meta.url))
const BASE = fileURLToPath(new URL('../fixtures/llama-2-tiny-random.gguf', import.meta.url))
after(() => { rmSync(home, { recursive: true, force: true }) })

type Result = { out: string, err: string, code: number }
const DRIVER = fileURLToPath(new URL('./cli-driver.ts', import.meta.url))

/** Runs command lines in one child process (see cli-driver.ts); returns each one's output and exit code. */
async function baobab (lines: string[][]): Promise<Result[]> {
  const { stdout } = await run(process.execPath, [DRIVER, home, JSON.stringify(lines)], { maxBuffer: 16 * 1024 * 1024 })
  return JSON.parse(stdout) as Result[]
}

const blobCount = (): number => readdirSync(join(home, 'blobs'), { recursive: true }).filter(f => /(^|\/)bafk\w+$/.test(String(f))).length

describe('baobab adapter add / route / ask', () => {
  const q = 'How long does honey from my beehives keep before it spoils?'
  const agro = data('agronomy')
  const questions = join(home, 'q.jsonl')
  const badQuestions = join(home, 'bad.jsonl')
  const badExemplars = join(home, 'ex-bad.jsonl')
  const cards = [['agronomy', 'agronomy'], ['veterinary', 'veterinary'], ['irrigation', 'irrigation'], ['soil-science', 'soil science'], ['aquaculture', 'aquaculture']]
  // every command line runs once, in order, in one child process (module loading dominates the cost)
  const script: Record<string, string[][]> = {
    cards: cards.map(([f, domain]) => ['adapter', 'add', '--name', `${f}-card`, '--domain', domain!, '--exemplars', data(f!), '--license', 'CC0-1.0', '--json']),
    file: [['route', '--file', questions, '--json']],
    badFiles: [['route', '--file', badQuestions, '--json'], ['route', '--file', join(home, 'none.jsonl')], ['route']],
    feedback: [['route', q, '--json'], ['route', 'feedback', q, '--expert', 'agronomy-card', '--json'], ['route', q], ['route', 'feedback', q, '--expert', 'nobody'], ['route', 'feedback', q]],
    ask: [['ask', 'my goats are coughing and have a fever, what should I do?', '--json'], ['ask', 'who painted the Mona Lisa?', '--json'], ['ask', 'fish gasping at dawn in my pond'], ['ask', 'x', '--runtime', 'magic']],
    badAdds: [
      ['adapter', 'add', '--name', 'x', '--domain', 'y', '--exemplars', badExemplars],
      ['adapter', 'add', '--name', 'x', '--domain', 'y', '--exemplars', agro, '--weights', BASE],
      ['adapter', 'add', '--name', 'x', '--domain', 'y', '--exemplars', agro, '--weights', LORA, '--base', 'qwen2/qwen2.5-0.5b'],
      ['adapter', 'add', '--name', 'x', '--domain', 'y', '--exemplars', agro, '--weights', join(home, 'missing.gguf')],
      ['adapter', 'add', '--name', 'x'.repeat(65), '--domain', 'y', '--exemplars', agro]
    ],
    blobsAfterBad: [],
    lora: [['adapter', 'add', '--name', 'tiny-a', '--domain', 'demo', '--exemplars', agro, '--weights', LORA, '--base', 'llama/llama-2-tiny-random', '--json']]
  }
  const results: Record<string, Result[]> = {}

  before(async () => {
    writeFileSync(questions, '{"question":"fish are gasping at the pond surface at dawn"}\n\n{"question":"what is the offside rule in football?"}\n')
    writeFileSync(badQuestions, '{"question":"ok"}\n{oops\n{"q":"wrong key"}\n')
    writeFileSync(badExemplars, '{"q":"fine"}\n{"a":"no question"}\n')
    const all = await baobab(Object.values(script).flat())
    let at = 0
    for (const [name, lines] of Object.entries(script)) { results[name] = all.slice(at, at + lines.length); at += lines.length }
  })

  it('adds knowledge cards', () => {
    for (const r of results.cards!) {
      assert.equal(r.code, 0, r.err)
      const added = JSON.parse(r.out) as { cid: string, format: string, exemplars: number }
      assert.match(added.cid, /^baf/)
      assert.equal(added.format, 'card')
      assert.equal(added.exemplars, 10)
    }
  })

  it('routes a JSONL file with the stable one-line-per-question contract', () => {
    const [r] = results.file!
    assert.equal(r!.code, 0, r!.err)
    const lines = r!.out.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
    assert.equal(lines.length, 2)
    for (const l of lines) {
      assert.deepEqual(Object.keys(l), ['question', 'choice', 'abstained', 'scores'])
      const scores = l.scores as Array<{ name: string, domain: string, score: number }>
      assert.equal(scores.length, 5)
      for (const sc of scores) assert.deepEqual(Object.keys(sc), ['name', 'domain', 'score'])
      for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1]!.score >= scores[i]!.score)
    }
    assert.deepEqual(lines[0]!.choice, { name: 'aquaculture-card', domain: 'aquaculture' })
    assert.equal(lines[0]!.abstained, false)
    assert.equal(lines[1]!.choice, null)
    assert.equal(lines[1]!.abstained, true)
  })

  it('reports bad question files with line numbers (exit 2), a missing file and no question', () => {
    const [bad, missing, none] = results.badFiles!
    assert.equal(bad!.code, 2)
    assert.match(bad!.err, /InvalidQuestionsFileError: .*line 2: not valid JSON.*line 3: needs an object/)
    assert.equal(bad!.out, '')
    assert.equal(missing!.code, 2)
    assert.equal(none!.code, 2)
  })

  it('routes one question with reasons, and takes feedback', () => {
    const [first, fb, human, unknown, neither] = results.feedback!
    const before = JSON.parse(first!.out) as { choice: { name: string } | null, reason: string, calibration: { threshold: number, n: number, generalQuestions: number, generalAbstained: number } }
    assert.notEqual(before.choice?.name, 'agronomy-card')
    assert.ok(before.reason.length > 10)
    assert.equal(before.calibration.n, 50)
    assert.ok(before.calibration.generalQuestions > 100 && before.calibration.generalAbstained > 0.8, JSON.stringify(before.calibration))
    assert.match(human!.out, /calibrated on 5\d held-out exemplar questions/)
    assert.equal(fb!.code, 0, fb!.err)
    assert.deepEqual((JSON.parse(fb!.out) as { now: { choice: unknown } }).now.choice, { name: 'agronomy-card', domain: 'agronomy' })
    assert.match(human!.out, /agronomy-card \(agronomy\)/)
    assert.equal(unknown!.code, 3)
    assert.equal(neither!.code, 2)
  })

  it('answers with ask (retrieval) and abstains out of domain', () => {
    const [vet, off, human, bad] = results.ask!
    assert.equal(vet!.code, 0, vet!.err)
    const a = JSON.parse(vet!.out) as Record<string, unknown>
    for (const key of ['answer', 'expert', 'abstained', 'scores', 'runtime', 'experiences']) assert.ok(key in a, key)
    assert.deepEqual(a.expert, { name: 'veterinary-card', domain: 'veterinary' })
    assert.equal(a.abstained, false)
    assert.equal(a.runtime, 'retrieval')
    assert.ok(Array.isArray(a.experiences))
    assert.match(String(a.answer), /goat|sheep|worm|cough/i)
    const o = JSON.parse(off!.out) as Record<string, unknown>
    assert.equal(o.expert, null)
    assert.equal(o.abstained, true)
    assert.match(human!.out, /aquaculture-card/)
    assert.match(human!.out, /█/)
    assert.equal(bad!.code, 2)
  })

  it('refuses bad adapters without leaving anything behind, and stores LoRA weights as blobs', () => {
    const [r1, r2, r3, r4, r5] = results.badAdds!
    assert.equal(r1!.code, 2)
    assert.match(r1!.err, /line 2/)
    assert.equal(r2!.code, 2, 'a base model is not a LoRA')
    assert.match(r2!.err, /GgufFormatError/)
    assert.equal(r3!.code, 2)
    assert.match(r3!.err, /BaseModelMismatchError/)
    assert.equal(r4!.code, 3)
    assert.equal(r5!.code, 2)
    const [ok] = results.lora!
    assert.equal(ok!.code, 0, ok!.err)
    const added = JSON.parse(ok!.out) as { format: string, bytes: number, chunks: number, base: { family: string } }
    assert.equal(added.format, 'gguf-lora')
    assert.equal(added.bytes, 4128)
    assert.equal(added.chunks, 1)
    assert.equal(added.base.family, 'llama')
    assert.equal(blobCount(), 1, 'exactly the one chunk of the good adapter; the refused ones left none')
  })
})
