import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { consolidate } from '../../src/learn/consolidate.ts'
import { cleanup, storeFixture } from './helpers.ts'

after(cleanup)

describe('batch consolidation', () => {
  it('drops the weaker of two contradicting lessons and keeps unrelated ones', async () => {
    const { store } = await storeFixture()
    const strong = await store.add({ domain: 'irrigation', text: 'When irrigating maize on sandy soil, water at dawn because less water evaporates.', evidence: { groups: 4, meanReward: 0.8 } })
    const weak = await store.add({ domain: 'irrigation', text: 'When irrigating maize on sandy soil, avoid watering at dawn because cold water shocks roots.', evidence: { groups: 1, meanReward: 0.3 } })
    const other = await store.add({ domain: 'irrigation', text: 'When a drip line clogs, flush it with diluted acid because mineral scale blocks emitters.' })
    const r = await consolidate(store, ['irrigation'])
    assert.equal(r.dropped, 1)
    assert.equal(r.merged, 0)
    assert.deepEqual(store.active('irrigation').map(v => v.cid).sort(), [strong.cid, other.cid].sort())
    assert.match(store.get(weak.cid!).inactiveReason!, /contradicted by/)
    assert.ok(store.history(weak.cid).some(h => h.op === 'DELETE' && h.origin === 'consolidate'))
    assert.equal((await consolidate(store, ['irrigation'])).dropped, 0, 'idempotent')
  })

  it('merges near-duplicates that slipped in through updates', async () => {
    const { store } = await storeFixture()
    const a = await store.add({ domain: 'veterinary', confidence: 0.8, text: 'When a calf has scours, give oral rehydration salts first because dehydration kills faster than the infection.' })
    const b = await store.add({ domain: 'veterinary', text: 'When a cow shows mastitis, strip the quarter because early treatment saves the udder.' })
    await store.update(b.cid!, { text: 'When a calf has scours, give oral rehydration salts first, because dehydration kills faster than infection.' })
    assert.equal(store.active('veterinary').length, 2)
    const r = await consolidate(store, ['veterinary'])
    assert.equal(r.merged, 1)
    const left = store.active('veterinary')
    assert.equal(left.length, 1)
    assert.equal(left[0]!.replaces.length, 2)
    assert.ok(left[0]!.replaces.includes(a.cid!))
  })
})
