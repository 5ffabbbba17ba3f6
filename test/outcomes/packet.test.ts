import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { decodeArtifact } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { readEvalResult } from '../../src/eval/index.ts'
import { evalResultToInput } from '../../src/eval/eval-result.ts'
import { createOutcomeService, measuredConfidence } from '../../src/outcomes/index.ts'
import { buildOutcomePacket } from '../../src/outcomes/packet.ts'
import { normaliseMethod } from '../../src/outcomes/normalise.ts'
import { hashEmbedder } from '../../src/embedding/index.ts'
import type { OutcomeInput } from '../../src/outcomes/index.ts'

const key = await generateKeyPair('Ed25519')
const dirs: string[] = []
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })
function tempDir (): string {
  const d = mkdtempSync(join(tmpdir(), 'baobab-outcome-packet-'))
  dirs.push(d)
  return d
}

const base: OutcomeInput = {
  family: 'Qwen2.5-0.5B',
  task: '  Clinical  Note Summarisation ',
  tags: ['Medical', 'english', 'medical'],
  dataScale: 'm',
  benchmark: 'ROUGE-L',
  baseline: 0.312,
  score: 0.371,
  method: 'LoRA',
  params: { lora_rank: 16, lora_alpha: 32, learning_rate: 0.0002, epochs: 3 },
  nEval: 500,
  confidence: 0.9
}

describe('outcome packet builder', () => {
  it('normalises fields, computes delta, signs ≤ 512 bytes and decodes back', async () => {
    const p = await buildOutcomePacket(base, key)
    assert.ok(p.bytes <= 512)
    assert.deepEqual(p.body.tags, ['english', 'medical'])
    assert.equal(p.body.family, 'qwen2.5-0.5b')
    assert.equal(p.body.task, 'clinical note summarisation')
    assert.equal(p.body.benchmark, 'rouge-l')
    assert.equal(p.body.method, 'lora')
    assert.deepEqual(p.body.params, { r: 16, alpha: 32, lr: 0.0002, epochs: 3 })
    assert.equal(p.body.delta, 0.371 - 0.312)
    assert.equal(p.body.heldOut, true)
    const again = await decodeArtifact(p.artifact.bytes, { expectedCid: p.artifact.cid })
    assert.deepEqual(again.envelope.body, p.body)
    assert.ok(p.warnings.some(w => w.includes('normalised to "lora"')))
  })

  it('folds method aliases and keeps unknown methods normalised, with a warning', async () => {
    assert.equal(normaliseMethod('Q-LoRA').method, 'qlora')
    assert.equal(normaliseMethod('q_lora').method, 'qlora')
    assert.equal(normaliseMethod('QLoRA').method, 'qlora')
    assert.equal(normaliseMethod('Full Fine-Tune').method, 'full')
    assert.equal(normaliseMethod('(IA)3').method, 'ia3')
    assert.deepEqual(normaliseMethod('My  Method_X'), { method: 'my-method-x', known: false })
    const p = await buildOutcomePacket({ ...base, method: 'Sparse Delta Tuning' }, key)
    assert.equal(p.body.method, 'sparse-delta-tuning')
    assert.ok(p.warnings.some(w => w.startsWith('unknown method')))
  })

  it('shortens an oversize packet by dropping whole tags and params, and says what it dropped', async () => {
    const input: OutcomeInput = {
      ...base,
      task: 'clinical note summarisation for discharge letters in cardiology',
      tags: ['medical-summaries', 'english-language', 'cardiology-notes', 'discharge-letters', 'hospital-records', 'soap-format', 'extra-tag-number-7'],
      params: {
        r: 16, alpha: 32, lr: 0.0002, epochs: 3,
        scheduler: 'cosine-with-restarts-long', optimizer: 'paged-adamw-8bit-optimizer', warmup_steps: 100, seed: 1234, packing: true
      }
    }
    const p = await buildOutcomePacket(input, key)
    assert.ok(p.bytes <= 512, `${p.bytes} bytes`)
    assert.ok(p.dropped.length >= 2)
    assert.ok(p.dropped.includes('tag "extra-tag-number-7"'), 'the 7th tag is over the schema cap')
    assert.ok(p.warnings.some(w => w.startsWith('dropped ')))
    // never truncated: every kept tag and param is exactly an input one
    for (const t of p.body.tags) assert.ok((input.tags as string[]).includes(t), t)
    for (const [k, v] of Object.entries(p.body.params)) assert.equal((input.params as Record<string, unknown>)[k === 'warmup' ? 'warmup_steps' : k], v)
    // core params survive, optional ones went first
    assert.deepEqual([p.body.params.r, p.body.params.alpha, p.body.params.lr, p.body.params.epochs], [16, 32, 0.0002, 3])
  })

  it('rejects instead of shortening when asked, and rejects what cannot fit at all', async () => {
    const big: OutcomeInput = { ...base, tags: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }
    await assert.rejects(buildOutcomePacket(big, key, { shorten: false }), { name: 'OutcomePacketTooLargeError' })
    const unfit: OutcomeInput = {
      ...base,
      family: 'a-very-long-model-family-name-xx',
      task: 'x'.repeat(64),
      benchmark: 'y'.repeat(32),
      tags: ['t'.repeat(24)],
      params: { r: 'r'.repeat(32), alpha: 'a'.repeat(32), lr: 'l'.repeat(32), epochs: 'e'.repeat(32), beta: 'b'.repeat(32), dropout: 'd'.repeat(32) }
    }
    await assert.rejects(buildOutcomePacket(unfit, key), (err: Error & { size: number, limit: number }) => {
      assert.equal(err.name, 'OutcomePacketTooLargeError')
      assert.ok(err.size > 512)
      assert.equal(err.limit, 512)
      return true
    })
  })

  it('names every kind of bad input', async () => {
    const cases: Array<[Partial<OutcomeInput> & Record<string, unknown>, string, string?]> = [
      [{ baseline: Number.NaN }, 'InvalidOutcomeError', 'baseline'],
      [{ score: Number.POSITIVE_INFINITY }, 'InvalidOutcomeError', 'score'],
      [{ delta: 0.2 }, 'DeltaMismatchError'],
      [{ nEval: -5 }, 'InvalidOutcomeError', 'nEval'],
      [{ nEval: 2.5 }, 'InvalidOutcomeError', 'nEval'],
      [{ confidence: 1.5 }, 'InvalidOutcomeError', 'confidence'],
      [{ task: '   ' }, 'InvalidOutcomeError', 'task'],
      [{ tags: [] }, 'InvalidOutcomeError', 'tags'],
      [{ dataScale: 'huge' as 'm' }, 'InvalidOutcomeError', 'dataScale'],
      [{ params: { nested: { a: 1 } } }, 'InvalidOutcomeError', 'params.nested'],
      [{ params: { rank: 8, r: 16 } }, 'InvalidOutcomeError', 'params.r'],
      [{ params: '{not json' }, 'InvalidOutcomeError', 'params'],
      [{ tags: ['x'.repeat(25)] }, 'InvalidOutcomeError', 'tags[0]']
    ]
    for (const [patch, name, field] of cases) {
      await assert.rejects(buildOutcomePacket({ ...base, ...patch } as OutcomeInput, key), (err: Error & { field?: string }) => {
        assert.equal(err.name, name, JSON.stringify(patch))
        if (field != null) assert.equal(err.field, field)
        return true
      })
    }
    // a consistent explicit delta is fine
    await buildOutcomePacket({ ...base, delta: 0.371 - 0.312 }, key)
  })

  it('stores nothing when publishing bad input', async () => {
    const library = openLibrary({ home: tempDir() })
    const svc = createOutcomeService({ library, privateKey: key, embedder: hashEmbedder() })
    await assert.rejects(svc.publish({ ...base, nEval: -1 }, { local: true }), { name: 'InvalidOutcomeError' })
    await assert.rejects(svc.publish({ ...base, score: 0.5, delta: 0.1 }, { local: true }), { name: 'DeltaMismatchError' })
    assert.equal(library.counts().outcome, 0)
    const ok = await svc.publish(base, { local: true })
    assert.equal(library.counts().outcome, 1)
    assert.equal(ok.keys.length, 11)
    assert.equal(ok.bytes, library.get(ok.cid)!.bytes.length)
    library.close()
  })

  it('without a DHT a publish is stored, says why the network part was skipped and leaves its keys due', async () => {
    const library = openLibrary({ home: tempDir() })
    const svc = createOutcomeService({ library, privateKey: key, embedder: hashEmbedder() })
    const r = await svc.publish({ ...base })
    assert.ok(library.has(r.cid))
    assert.equal(r.dht, undefined)
    assert.match(r.network.skipped ?? '', /no DHT/)
    assert.equal(r.pending, 11)
    assert.deepEqual(svc.index.keysDue(svc.author, 0), [...r.keys].sort())
    await assert.rejects(svc.republish(), { name: 'DhtUnavailableError' })
    library.close()
  })
})

describe('eval results', () => {
  it('turns an eval-result file into a packet with a computed confidence', async () => {
    const path = join(tempDir(), 'eval-result.json')
    writeFileSync(path, JSON.stringify({
      format: 'baobab-eval-result/1', family: 'qwen2.5-0.5b', task: 'clinical note summarisation', tags: ['medical'],
      benchmark: 'rouge-l', baseline: 0.30, score: 0.35, nEval: 200, method: 'lora', params: { r: 8 }, dataScale: 's', heldOut: true,
      items: [{ id: 1, ok: true }]
    }))
    const input = await readEvalResult(path)
    // σ = √(0.5/200) = 0.05, z = 0.05/0.05 = 1 → P(|Z| < 1) = 0.683
    assert.equal(input.confidence, 0.683)
    const p = await buildOutcomePacket(input, key)
    assert.equal(p.body.confidence, 0.683)
    assert.equal(p.body.dataScale, 's')
    assert.equal(measuredConfidence(0.3, 0.35, 200, false), 0.341)
  })

  it('rejects eval results that are not usable, naming the field', async () => {
    await assert.rejects(readEvalResult(join(tempDir(), 'missing.json')), { name: 'InvalidEvalResultError' })
    const bad = join(tempDir(), 'bad.json')
    writeFileSync(bad, '{"family": ')
    await assert.rejects(readEvalResult(bad), { name: 'InvalidEvalResultError' })
    assert.throws(() => evalResultToInput({ family: 'f', task: 't' }), (err: Error & { field?: string }) => err.name === 'InvalidEvalResultError' && err.field === 'tags')
    const full = { family: 'f', task: 't', tags: ['a'], benchmark: 'b', baseline: 0, score: 1, nEval: 0, method: 'lora', params: {}, dataScale: 'm', heldOut: true }
    assert.throws(() => evalResultToInput(full), (err: Error & { field?: string }) => err.field === 'nEval')
    assert.throws(() => evalResultToInput({ ...full, nEval: 3, format: 'other/2' }), (err: Error & { field?: string }) => err.field === 'format')
  })
})
