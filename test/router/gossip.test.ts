/**
 * The gossip-handshake suite with the built-in embedder and one self-calibrated setting per
 * library: every eval question routed right (experts from train/*.jsonl only), and the
 * paraphrase / out-of-domain fixture over all its splits (dev, holdout, test) no worse than
 * measured. Needs ../shared (skipped without it).
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { loadParaphrases, tfidfRouter } from '../../src/eval/index.ts'
import { loadExpertDir, loadGossipEval } from '../../src/eval/router/data.ts'
import { tally } from '../../src/eval/router/tally.ts'
import { Router } from '../../src/router/index.ts'

const DATA = fileURLToPath(new URL('../../../shared/data/gossip-handshake/', import.meta.url))
const fixture = loadParaphrases(fileURLToPath(new URL('../fixtures/paraphrases.jsonl', import.meta.url)))

describe('gossip-handshake routing', () => {
  if (!existsSync(DATA)) {
    it('needs the shared gossip-handshake data', t => { t.skip(`no ${DATA} (the shared folder is not beside this checkout)`) })
    return
  }
  const evalQs = loadGossipEval(`${DATA}eval.jsonl`)
  let paraCorrect = 0
  let paraTotal = 0
  let oodCorrect = 0
  let oodTotal = 0

  for (const set of ['clean', 'overlap']) {
    it(`${set}: all eval questions right, paraphrases and out-of-domain at one calibrated setting`, async () => {
      const qs = evalQs.filter(q => q.set === set)
      assert.equal(qs.length, 25)
      const experts = loadExpertDir(`${DATA}train`, { domains: [...new Set(qs.map(q => q.domain))] })
      assert.equal(experts.length, 5)
      const router = new Router()
      await router.setExperts(experts)
      await router.calibrate()
      const evalTally = tally(qs, await Promise.all(qs.map(async q => router.route(q.question))))
      assert.equal(evalTally.correct, 25, JSON.stringify(evalTally.misses))

      const domains = new Set(experts.map(e => e.domain))
      const para = fixture.filter(q => q.kind === 'paraphrase' && domains.has(q.domain!))
      const ood = fixture.filter(q => q.kind === 'ood')
      const p = tally(para, await Promise.all(para.map(async q => router.route(q.question))))
      const o = tally(ood, await Promise.all(ood.map(async q => router.route(q.question))))
      paraCorrect += p.correct; paraTotal += p.n; oodCorrect += o.correct; oodTotal += o.n
      // per library, all splits (measured 82.1% / 86.7% paraphrases, 88.9% / 88.9% abstained)
      assert.ok(p.accuracy >= 0.8, `${set} paraphrases ${p.correct}/${p.n}`)
      assert.ok(o.accuracy >= 0.85, `${set} out-of-domain abstained ${o.correct}/${o.n}`)

      // the plain TF-IDF baseline cannot have both: with no abstention it misses paraphrases,
      // and at any threshold that abstains on 90% of out-of-domain questions it loses most of them
      const baseline = tfidfRouter({ useAnswers: true })
      baseline.setExperts(experts)
      const tops = para.map(q => baseline.route(q.question).scores[0]!)
      const oodTops = ood.map(q => baseline.route(q.question).scores[0]!.score).sort((a, b) => a - b)
      const t90 = oodTops[Math.ceil(0.9 * oodTops.length) - 1]! + 1e-9
      const atT90 = tops.filter((s, i) => s.score >= t90 && s.domain === para[i]!.domain).length / para.length
      const atZero = tops.filter((s, i) => s.domain === para[i]!.domain).length / para.length
      assert.ok(atZero < p.accuracy && atT90 < 0.6, `baseline ${atZero} at t=0, ${atT90} at 90% abstention`)
    })
  }

  it('meets the targets over both libraries', t => {
    if (paraTotal === 0) { t.skip('set tests did not run'); return }
    assert.ok(paraCorrect / paraTotal >= 0.8, `paraphrases ${paraCorrect}/${paraTotal}`)
    assert.ok(oodCorrect / oodTotal >= 0.85, `out of domain ${oodCorrect}/${oodTotal}`)
  })

  it('routes a calf with diarrhoea to veterinary when only a veterinary and an agronomy expert exist', async () => {
    const router = new Router()
    await router.setExperts(loadExpertDir(`${DATA}train`, { domains: ['veterinary', 'agronomy'] }))
    const d = await router.route('My calf has diarrhoea and is weak, what should I give it?')
    assert.equal(d.choice?.domain, 'veterinary', d.reason)
  })
})
