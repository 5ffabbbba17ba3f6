import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { loadRecallData, recallOutcomeFile, renderRecallMarkdown, readEvalResult, runRecallEval } from '../../src/eval/index.ts'
import { interleave, splitParts } from '../../src/eval/recall/conditions.ts'
import { keywordRecall, summariseRecall } from '../../src/eval/recall/metric.ts'
import { parseRecallQuestions } from '../../src/eval/recall/data.ts'
import { referenceTable } from '../../src/eval/recall/reference.ts'
import { createNode } from '../../src/node/index.ts'
import { buildOutcomePacket } from '../../src/outcomes/packet.ts'
import type { RecallReport } from '../../src/eval/index.ts'

const FIXTURE = new URL('../fixtures/recall-eval/', import.meta.url).pathname
const tmp = mkdtempSync(join(tmpdir(), 'baobab-eval-recall-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })

const close = (a: number, b: number): void => { assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`) }

describe('keyword recall metric', () => {
  it('counts case-insensitive substrings, with no word boundaries', async () => {
    const r = await keywordRecall('Apply a 12% NEEM OIL spray at 4 am; selection matters.', ['12%', 'neem oil', '4 AM', 'exoskeleton', 'EC'])
    // 12%, neem oil, 4 AM and EC (inside "selection") are found; exoskeleton is not
    close(r.recall, 80)
    assert.deepEqual(r.found, ['12%', 'neem oil', '4 AM', 'EC'])
    assert.deepEqual(r.missing, ['exoskeleton'])
    close((await keywordRecall('', ['a', 'b'])).recall, 0)
    close((await keywordRecall('sorghum, cowpea, fallow', ['sorghum', 'cowpea', 'fallow', '90-day', 'daidzein', 'isoflavone'])).recall, 50)
  })

  it('averages questions per domain, then domains (not questions)', () => {
    const s = summariseRecall([
      { domain: 'a', recall: 100 }, { domain: 'a', recall: 0 }, { domain: 'a', recall: 50 },
      { domain: 'b', recall: 100 }
    ], ['b', 'a', 'c'])
    close(s.perDomain.a!, 50)
    close(s.perDomain.b!, 100)
    close(s.overall, 75) // the mean over questions would be 62.5
    assert.deepEqual(Object.keys(s.perDomain), ['b', 'a']) // order kept; c has no questions
    assert.deepEqual(s.counts, { b: 1, a: 3 })
  })
})

describe('recall data and reference', () => {
  it('rejects bad eval lines with their line number', () => {
    assert.throws(() => parseRecallQuestions('{"set":"s","id":"1","domain":"d","question":"q","keywords":["k"]}\n{"set":"s","id":"2","domain":"d","question":"q","keywords":[]}\n'),
      (err: Error & { line?: number }) => err.name === 'InvalidEvalDataError' && err.line === 2)
    assert.throws(() => parseRecallQuestions('not json'), { name: 'InvalidEvalDataError' })
    assert.throws(() => loadRecallData(FIXTURE, { sets: ['nope'] }), /has no set "nope"/)
  })

  it('reads reference rows: 3-run means, best TIES density, off-domain proxy', () => {
    const t = referenceTable(loadRecallData(FIXTURE).results)!
    assert.equal(t.rows.length, 1)
    const row = t.rows[0]!
    assert.equal(row.routed.overall, 60)
    assert.equal(row.routedOnePass.overall, 50)
    assert.equal(row.ties.overall, 25)
    assert.deepEqual(row.tiesBest, { density: '0.9', overall: 35 })
    assert.equal(row.naive, 12)
    close(row.offDomainProxy!, 15) // orchards-only on beekeeping 10, beekeeping-only on orchards 20
    assert.equal(referenceTable({ nothing: true }), null)
  })

  it('interleaves domains and splits round-robin', () => {
    assert.deepEqual(interleave([[1, 2, 3], [10], [20, 21]]), [1, 10, 20, 2, 21, 3])
    assert.deepEqual(splitParts([1, 2, 3, 4, 5], 2), [[1, 3, 5], [2, 4]])
  })
})

describe('recall harness through the node answer path (retrieval runtime)', () => {
  let report: RecallReport

  it('scores routed, pooled and no-expert libraries on the fixture', async () => {
    const events: number[] = []
    const r = await runRecallEval({ dataDir: FIXTURE, makeNode: createNode, workDir: tmp, onProgress: e => { events.push(e.done); assert.equal(e.total, 18) } })
    assert.ok(!('skipped' in r))
    report = r
    assert.deepEqual(events, Array.from({ length: 18 }, (_, i) => i + 1))
    const [set] = r.sets
    assert.equal(set!.set, 'mini')
    assert.deepEqual(set!.domains, ['orchards', 'beekeeping'])
    assert.equal(set!.verbatim, 6)
    const routed = set!.conditions.find(c => c.id === 'routed')!
    // every question reaches its own expert; "windbreak" and "queen excluder" are in no answer
    assert.deepEqual(routed.routing, { ownDomain: 6, otherExpert: 0, noExpert: 0 })
    close(routed.perDomain.orchards!, (100 + 200 / 3 + 100) / 3)
    close(routed.perDomain.beekeeping!, (100 + 100 + 75) / 3)
    close(routed.overall, (routed.perDomain.orchards! + routed.perDomain.beekeeping!) / 2)
    assert.deepEqual(routed.items.find(i => i.id === 'bee_03')!.missing, ['queen excluder'])
    close(set!.ceiling.overall, routed.overall)
    const pooled = set!.conditions.find(c => c.id === 'pooled')!
    assert.deepEqual(pooled.library, { experts: 1, artifacts: 1, exemplars: 6 })
    assert.ok(pooled.items.every(i => i.expert?.domain === 'pooled'))
    assert.ok(pooled.overall <= set!.ceiling.overall + 1e-9)
    const none = set!.conditions.find(c => c.id === 'none')!
    assert.equal(none.overall, 0)
    assert.ok(none.items.every(i => i.expert == null && i.reason === 'empty-library'))
    assert.equal(r.reference?.rows.length, 1)
    assert.match(r.caveats.join('\n'), /upper bound/)
    assert.ok(r.sets.every(s => s.conditions.every(c => c.items.every(i => i.answer === undefined))))
  })

  it('renders the table with the reference beside ours', () => {
    const md = renderRecallMarkdown(report)
    assert.match(md, /\| \*\*Baobab\*\*, retrieval runtime \(no model\): knowledge cards \| 90\.3 \| 90\.3 \(pooled card\) \| 0\.0 \|/)
    assert.match(md, /upstream example\/tiny \(3-run mean\) \| 60\.0 \| 25\.0 \(TIES d=0\.5\) \| 15\.0 \(proxy\)/)
  })

  it('writes an eval-result file that outcome from-eval turns into a signed packet', async () => {
    const file = join(tmp, 'outcome.json')
    writeFileSync(file, JSON.stringify(recallOutcomeFile(report)))
    const input = await readEvalResult(file)
    close(input.score, Math.round(report.sets[0]!.conditions[0]!.overall * 100) / 1e4)
    assert.equal(input.baseline, 0)
    assert.equal(input.nEval, 6)
    assert.equal(input.heldOut, false)
    const packet = await buildOutcomePacket(input, await generateKeyPair('Ed25519'))
    assert.equal(packet.body.benchmark, 'keyword-recall')
    assert.ok(packet.bytes <= 512)
  })

  it('stores a pooled expert of more than 64 pairs as several artifacts and still answers from it', async () => {
    const dir = join(tmp, 'big')
    mkdirSync(join(dir, 'train'), { recursive: true })
    const words = { alpha: 'harrow', beta: 'trellis' }
    const evalLines: string[] = []
    for (const [domain, word] of Object.entries(words)) {
      const lines: string[] = []
      for (let n = 1; n <= 40; n++) {
        lines.push(JSON.stringify({ instruction: `Which ${word} setting suits field ${n} of the ${domain} farm?`, input: '', output: `Field ${n} needs ${word} setting ${domain}-${n}-x.` }))
        if (n % 10 === 0) evalLines.push(JSON.stringify({ set: 'big', id: `${domain}-${n}`, domain, question: `Which ${word} setting suits field ${n} of the ${domain} farm?`, keywords: [`${domain}-${n}-x`] }))
      }
      writeFileSync(join(dir, 'train', `${domain}_dataset.jsonl`), lines.join('\n') + '\n')
    }
    writeFileSync(join(dir, 'eval.jsonl'), evalLines.join('\n') + '\n')
    const r = await runRecallEval({ dataDir: dir, makeNode: createNode, workDir: tmp })
    assert.ok(!('skipped' in r))
    const [set] = r.sets
    const pooled = set!.conditions.find(c => c.id === 'pooled')!
    assert.deepEqual(pooled.library, { experts: 1, artifacts: 2, exemplars: 80 })
    assert.equal(pooled.overall, 100)
    assert.equal(set!.conditions.find(c => c.id === 'routed')!.overall, 100)
    assert.match(r.caveats.join('\n'), /2 adapter artifacts in one domain/)
  })

  it('skips with a reason when the data folder is absent, and refuses LoRA without the llama runtime', async () => {
    const r = await runRecallEval({ dataDir: join(tmp, 'no-such-dir'), makeNode: createNode })
    assert.ok('skipped' in r)
    assert.match(r.skipped, /no evaluation data at .*no-such-dir/)
    await assert.rejects(runRecallEval({ dataDir: FIXTURE, makeNode: createNode, lora: 'synthetic' }), { name: 'InvalidEvalOptionError' })
  })
})
