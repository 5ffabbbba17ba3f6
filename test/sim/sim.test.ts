import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { classifyFailure } from '../../sim/dht/failures.ts'
import { SimNetwork } from '../../sim/dht/network.ts'
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

  it('one shared CPU queues every delivery: later than a CPU per node, later still when messages cost more', () => {
    const loopback = { latencyMs: 0.1, sigma: 0.5, loss: 0, hopMs: 0 }
    const cpu = { publishMs: 4, firstMs: 2, duplicateMs: 0.5, controlMs: 0.5, heartbeatMs: 1 }
    const scenario = { n: 50, offline: 0, adversarial: 0, publishers: 3, seed: 9, connections: 11 }
    const free = simulatePropagation({ ...scenario, link: loopback })
    const shared = simulatePropagation({ ...scenario, link: { ...loopback, sharedCpu: cpu } })
    const dear = simulatePropagation({ ...scenario, link: { ...loopback, sharedCpu: { ...cpu, firstMs: 4, duplicateMs: 1 } } })
    assert.equal(shared.coverage, 1)
    assert.ok(free.p99Ms < 5, `without a shared CPU loopback hops take well under a ms each (p99 ${free.p99Ms})`)
    // the last of 49 first deliveries waits for at least the publication and the other first deliveries
    assert.ok(shared.maxMs >= cpu.publishMs + 49 * cpu.firstMs, `max ${shared.maxMs}`)
    assert.ok(dear.p99Ms > shared.p99Ms && dear.p50Ms > shared.p50Ms)
  })

  it('a failed DHT lookup is classed by where the replicas were', () => {
    const net = new SimNetwork({ n: 300, seed: 4, k: 20, prefixLength: 4 })
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7)
    const closest = net.trueClosest(key, 20)
    const far = net.trueClosest(key, 300).slice(-20)
    const rng = new Rng(1)
    net.setOffline(0, rng)
    assert.equal(classifyFailure(net, new Set(closest.slice(0, 5)), closest), 'get-stopped-short')
    assert.equal(classifyFailure(net, new Set(far), closest), 'put-missed-closest')
    for (const h of far) net.online[h] = 0
    assert.equal(classifyFailure(net, new Set(far), closest), 'replicas-offline')
  })
})
