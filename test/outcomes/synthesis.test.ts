import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { reproductionVerdict } from '../../src/outcomes/index.ts'
import { authorReputation, reproductionFactor } from '../../src/outcomes/reproduction.ts'
import { synthesise, weigh, weightedQuantile } from '../../src/outcomes/synthesis.ts'
import type { Evidence } from '../../src/outcomes/synthesis.ts'
import type { OutcomeBody, ParamValue } from '../../src/artifacts/index.ts'

function packet (cid: string, author: string, method: string, delta: number, confidence: number, nEval: number, params: Record<string, ParamValue>, extra: Partial<OutcomeBody> = {}): Evidence {
  return {
    cid,
    author,
    match: 'exact',
    similarity: 1,
    reproduction: 1,
    reputation: 1,
    own: false,
    body: {
      family: 'f', task: 't', tags: ['x'], dataScale: 'm', benchmark: 'b', baseline: 0.3, score: 0.3 + delta, delta,
      method, params, heldOut: true, nEval, confidence, ...extra
    }
  }
}

// strengths: P1 0.5·√100 = 5, P2 1·√400 = 20, P3 1·√100 = 10, P4/P5 10 each halved (same author) = 5
const evidence: Evidence[] = [
  packet('P1', 'A', 'lora', 0.10, 0.5, 100, { r: 8, lr: 0.0002, sched: 'cosine' }),
  packet('P2', 'B', 'lora', 0.05, 1.0, 400, { r: 16, lr: 0.0001, sched: 'linear' }),
  packet('P3', 'C', 'lora', -0.02, 1.0, 100, { r: 64, lr: 0.001, sched: 'cosine' }),
  packet('P4', 'D', 'full', 0.04, 1.0, 100, { lr: 0.00001 }),
  packet('P5', 'D', 'full', 0.04, 1.0, 100, { lr: 0.00002 })
]

const close = (a: number, b: number, eps = 1e-9): void => { assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`) }

describe('synthesis', () => {
  it('weighs packets: delta · confidence · √nEval · reproduction · reputation, one voice per author', () => {
    const w = weigh(evidence)
    assert.deepEqual(w.map(e => e.strength), [5, 20, 10, 5, 5])
    w.map(e => e.weight).forEach((x, i) => close(x, [0.5, 1.0, -0.2, 0.2, 0.2][i]!))
    const scaled = weigh([packet('S', 'E', 'lora', 0.1, 1, 100, {}, { dataScale: 'xs', heldOut: false })], { dataScale: 'm' })
    close(scaled[0]!.strength, 10 * 0.25 * 0.5)
  })

  it('recommends by signed vote, weighted medians with quartiles, and an expected delta with interval', () => {
    const rec = synthesise(evidence)
    assert.equal(rec.method, 'lora')
    close(rec.methodVotes[0]!.weight, 1.3)
    close(rec.methodVotes[1]!.weight, 0.4)
    const r = rec.params.r!
    assert.equal(r.kind, 'numeric')
    if (r.kind !== 'numeric') return
    // positive evidence: r=8 (0.5), r=16 (1.0): W = 1.5, half = 0.75 → 16; q1 (0.375) → 8; q3 (1.125) → 16
    assert.deepEqual([r.median, r.q1, r.q3, r.iqr, r.n], [16, 8, 16, 8, 2])
    assert.equal(r.against.length, 1)
    assert.equal(r.against[0]!.value, 64)
    close(r.against[0]!.weight, 0.2)
    const lr = rec.params.lr!
    assert.ok(lr.kind === 'numeric' && lr.median === 0.0001 && lr.q3 === 0.0002)
    const sched = rec.params.sched!
    assert.equal(sched.kind, 'categorical')
    if (sched.kind !== 'categorical') return
    assert.equal(sched.value, 'linear')
    close(sched.votes.find(v => v.value === 'cosine')!.weight, 0.3)
    close(sched.support, 1)
    // μ = (5·0.10 + 20·0.05 − 10·0.02)/35; se from between-packet and sampling variance (hand-computed)
    const d = rec.expectedDelta!
    close(d.mean, 1.3 / 35)
    close(d.se, 0.04000728796580704, 1e-12)
    close(d.low, 1.3 / 35 - 1.96 * 0.04000728796580704, 1e-12)
    close(d.nEff, 35 * 35 / (25 + 400 + 100))
    assert.deepEqual(rec.against.map(a => a.cid), ['P3'])
    assert.deepEqual(rec.authors, ['A', 'B', 'C', 'D'])
    assert.deepEqual(rec.evidence.map(e => e.cid), ['P2', 'P1', 'P3', 'P4', 'P5'])
  })

  it('counts negative evidence against a method and refuses to recommend on negative evidence alone', () => {
    const onlyBad = synthesise([packet('N1', 'A', 'dpo', -0.05, 1, 100, { beta: 0.1 }), packet('N2', 'B', 'dpo', -0.01, 1, 100, { beta: 0.5 })])
    assert.equal(onlyBad.method, undefined)
    assert.ok(onlyBad.warnings.some(w => w.includes('negative')))
    assert.equal(onlyBad.against.length, 2)
    // a strongly negative packet can flip the vote
    const flipped = synthesise([...evidence, packet('N3', 'F', 'lora', -0.2, 1, 400, { r: 8 })])
    assert.equal(flipped.method, 'full')
    assert.equal(synthesise([]).method, undefined)
  })

  it('weighted quantiles pick the first value reaching q of the total weight', () => {
    const items = [{ value: 3, weight: 1 }, { value: 1, weight: 1 }, { value: 2, weight: 2 }, { value: 9, weight: -5 }]
    assert.equal(weightedQuantile(items, 0.5), 2)
    assert.equal(weightedQuantile(items, 0.25), 1)
    assert.equal(weightedQuantile(items, 0.76), 3)
    assert.ok(Number.isNaN(weightedQuantile([], 0.5)))
  })

  it('reproduction rules: verdicts, packet factor and author reputation', () => {
    assert.equal(reproductionVerdict(0.10, 0.06), 'reproduced')
    assert.equal(reproductionVerdict(0.10, 0.046), 'reproduced') // threshold 0.5·0.10 − 0.005
    assert.equal(reproductionVerdict(0.10, 0.04), 'failed')
    assert.equal(reproductionVerdict(0.10, -0.02), 'failed')
    assert.equal(reproductionVerdict(-0.05, -0.04), 'reproduced')
    assert.equal(reproductionVerdict(0, 0.001), 'reproduced')
    assert.equal(reproductionFactor({ reproduced: 0, failed: 0, count: 0 }), 1)
    close(reproductionFactor({ reproduced: 0, failed: 1, count: 1 }), 1 / 3)
    close(reproductionFactor({ reproduced: 2, failed: 0, count: 2 }), 2)
    assert.equal(authorReputation(0, 0), 1)
    close(authorReputation(0, 1), 3 / 4.5)
    close(authorReputation(0, 4), 3 / 9)
    assert.ok(authorReputation(5, 1) > authorReputation(0, 1))
  })
})
