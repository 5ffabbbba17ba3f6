import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { VirtualClock } from '../../sim/dht/clock.ts'
import { runDhtSim } from '../../sim/dht/index.ts'
import { loadKadInternals } from '../../sim/dht/kad-internals.ts'
import { SimNetwork } from '../../sim/dht/network.ts'
import { Rng } from '../../sim/rng.ts'
import { DHT_SETTINGS } from '../../src/outcomes/index.ts'

describe('DHT simulator', () => {
  it('answers closest() exactly as kad-dht\'s own KBucket does for the same table contents', async () => {
    const kad = await loadKadInternals()
    for (const prefixLength of [kad.PREFIX_LENGTH, 8]) {
      const net = new SimNetwork({ n: 3000, seed: 11, k: kad.K, prefixLength })
      const rng = new Rng(5)
      for (const i of [0, 1234, 2999]) {
        const kb = new kad.KBucket({ peerId: net.peerId(i) }, { prefixLength, kBucketSize: kad.K, ping: async function * () {}, verify: async () => true })
        await kb.start()
        for (const group of net.table(i)) for (const m of group) await kb.add(net.peerId(m))
        assert.equal(kb.count(), net.tableSize(i), 'the real KBucket keeps every contact of the modelled table')
        for (let q = 0; q < 20; q++) {
          const key = Uint8Array.from({ length: 32 }, () => rng.int(256))
          const real = [...kb.closest(key, { count: kad.K })].map(p => net.indexOf(p))
          assert.deepEqual(net.closest(i, key, kad.K), real)
        }
      }
    }
  })

  it('runs real kad-dht lookups in virtual time: values found, hops and bytes counted', async () => {
    const r = await runDhtSim({ sizes: [600], offline: [0, 0.3], lookups: () => 6, seed: 3 })
    assert.equal(r.k, DHT_SETTINGS.kBucketSize, 'the node\'s own k')
    const [online, churned] = r.rows
    assert.equal(online!.successRate, 1)
    assert.ok(online!.hopsMean >= 1)
    assert.ok(online!.messagesMean >= DHT_SETTINGS.kBucketSize / 2 && online!.kibMean > 1)
    // offline peers cost a dial timeout: the query runs longer than any round trip
    assert.ok(churned!.queryMsP50 >= 5000)
  })

  it('orders wake-ups by simulated time', async () => {
    const clock = new VirtualClock()
    const order: number[] = []
    await clock.run(Promise.all([300, 100, 200].map(async ms => { await clock.sleep(ms); order.push(ms) })))
    assert.deepEqual(order, [100, 200, 300])
    assert.equal(clock.now, 300)
  })
})
