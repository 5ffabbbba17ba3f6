import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { EventQueue } from '../../sim/event-queue.ts'
import { simulatePropagation } from '../../sim/mesh-sim.ts'
import { Rng } from '../../sim/rng.ts'
import { measureSyncCost } from '../../sim/sync-cost.ts'

const link = { latencyMs: 1, sigma: 0.3, loss: 0, hopMs: 1 }

describe('simulator', () => {
  it('the event queue pops in time order, ties in insertion order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), times => {
      const q = new EventQueue<{ t: number, seq: number, i: number }>()
      times.forEach((t, i) => { q.push({ t, i }) })
      const out: Array<{ t: number, i: number }> = []
      for (let e = q.pop(); e != null; e = q.pop()) out.push(e)
      const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i)
      assert.deepEqual(out.map(e => [e.t, e.i]), expected.map(e => [e.t, e.i]))
    }))
  })

  it('a lossless connected mesh reaches every honest node; latency grows with size', () => {
    const small = simulatePropagation({ n: 50, link, offline: 0, adversarial: 0, publishers: 3, seed: 1 })
    const big = simulatePropagation({ n: 3000, link, offline: 0, adversarial: 0, publishers: 3, seed: 1 })
    assert.equal(small.coverage, 1)
    assert.equal(big.coverage, 1)
    assert.ok(big.p50Ms > small.p50Ms)
  })

  it('heavy loss without gossip repair would lose nodes; coverage stays a share in [0, 1]', () => {
    const r = simulatePropagation({ n: 500, link: { ...link, loss: 0.6 }, offline: 0.2, adversarial: 0.3, publishers: 2, seed: 3 })
    assert.ok(r.coverage >= 0 && r.coverage <= 1)
    assert.ok(r.coverage < 1, 'with 60% loss some honest nodes must be missed')
  })

  it('sync cost comes from the real reconciliation and grows with the difference', () => {
    const rng = new Rng(1)
    const a = measureSyncCost(2000, 0, rng)
    const b = measureSyncCost(2000, 10, rng)
    const c = measureSyncCost(2000, 200, rng)
    assert.ok(a.bytes < b.bytes && b.bytes < c.bytes)
  })
})
