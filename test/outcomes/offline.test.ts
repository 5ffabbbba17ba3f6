/**
 * Local first: a node alone stores and answers from its library at once and says no peer was
 * there; when a peer connects, the packets it stored while alone are put on the DHT, where the
 * peer finds them.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, describe, it } from 'node:test'
import { createTestNode, stopTestNodes } from './helpers/dht-nodes.ts'
import type { TestNode } from './helpers/dht-nodes.ts'

const ctx = { family: 'qwen2.5-0.5b', task: 'clinical note summarisation', tags: ['medical'] }
const packet = { ...ctx, benchmark: 'rouge-l', baseline: 0.3, score: 0.36, method: 'lora', params: { r: 16 }, nEval: 300, confidence: 0.9, dataScale: 'm' as const }

describe('outcomes on a node that starts alone', { timeout: 120_000 }, () => {
  const nodes: TestNode[] = []
  after(async () => { await stopTestNodes(nodes) })

  it('publishes and answers locally with no peers, then puts the stored packet when a peer connects', async () => {
    // background rounds on, but the first timed one far away: only the peer connection triggers the put
    const service = { lsh: { bands: 4, rows: 4 }, republishMs: 12 * 3600_000, firstRepublishMs: 600_000 }
    const alone = await createTestNode({ service })
    nodes.push(alone)
    const published = await alone.outcomes.publish(packet)
    assert.equal(published.network.peers, 0)
    assert.equal(published.network.skipped, 'no peers connected')
    assert.equal(published.dht, undefined)
    assert.equal(published.pending, published.keys.length)
    assert.equal(alone.outcomes.index.keysDue(alone.outcomes.author, 0).length, published.keys.length)

    const rec = await alone.outcomes.recommend({ ...ctx, task: "summarising doctor's notes" })
    assert.deepEqual(rec.evidence.map(e => e.cid), [published.cid])
    assert.equal(rec.query.network.skipped, 'no peers connected')
    assert.deepEqual(rec.explained.map(x => [x.setting, x.value, x.evidence.map(c => [c.cid, c.reproduced])]), [
      ['method', 'lora', [[published.cid, 'not yet']]],
      ['r', 16, [[published.cid, 'not yet']]]
    ])

    const peer = await createTestNode({ service: { lsh: { bands: 4, rows: 4 } } })
    nodes.push(peer)
    await peer.libp2p.dial(alone.libp2p.getMultiaddrs()[0]!)
    // a round right after the connection may find the routing table still empty: wait for the one that puts all keys
    for (;;) {
      const [event] = await once(alone.outcomes.publisher.events, 'put') as [CustomEvent<{ keys: number }>]
      if (event.detail.keys === published.keys.length) break
    }
    assert.deepEqual(alone.outcomes.index.keysDue(alone.outcomes.author, 0), [])

    const found = await peer.outcomes.query({ ...ctx, task: "summarising doctor's notes" })
    assert.ok(found.network.asked >= 1, JSON.stringify(found.network))
    const m = found.matches.find(x => x.cid === published.cid)
    assert.equal(m?.source, 'dht')
  })
})
