import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createTestNodes, stopTestNodes } from './helpers/dht-nodes.ts'
import type { TestNode } from './helpers/dht-nodes.ts'

describe('reproductions over the DHT', { timeout: 120_000 }, () => {
  let nodes: TestNode[] = []
  // 4 bands of 4 bits: 5 DHT keys per packet keep the test fast on a shared machine
  before(async () => { nodes = await createTestNodes(6, { service: { lsh: { bands: 4, rows: 4 } } }) })
  after(async () => { await stopTestNodes(nodes) })

  it('an author with inflated deltas is outweighed by honest packets once reproductions fail', async () => {
    const ctx = { family: 'llama-3-8b', task: 'contract clause classification', tags: ['legal'] }
    const pub = (n: TestNode, method: string, delta: number, params: Record<string, number>): ReturnType<TestNode['outcomes']['publish']> =>
      n.outcomes.publish({ ...ctx, benchmark: 'accuracy', baseline: 0.5, score: 0.5 + delta, method, params, nEval: 400, confidence: 0.9, dataScale: 's' })
    const [h1, h2, e] = [nodes[1]!, nodes[2]!, nodes[3]!]
    await pub(h1, 'lora', 0.05, { r: 16 })
    await pub(h2, 'lora', 0.05, { r: 16 })
    const inflated = [await pub(e, 'full', 0.30, { lr: 0.001 }), await pub(e, 'full', 0.28, { lr: 0.001 })]
    assert.ok(inflated[0]!.dht!.stored > 0)

    const q = nodes[4]!
    const before = await q.outcomes.recommend(ctx)
    assert.equal(before.method, 'full', 'unchecked, the inflated claims win')

    // each claim is re-measured by one honest node: both fail
    for (const [r, p] of [[h1, inflated[0]!], [h2, inflated[1]!]] as const) {
      await r.outcomes.query(ctx) // fetches the claims
      const rep = await r.outcomes.reproduce(p.cid, 0.01, 300)
      assert.equal(rep.verdict, 'failed')
    }
    const after = await q.outcomes.recommend(ctx)
    assert.equal(after.method, 'lora', 'after failed reproductions the honest packets win')
    const ev = after.evidence.find(x => x.cid === inflated[0]!.cid)!
    // one failure of strength 300/330: factor 1/(1 + 2·0.909) = 0.355; two failed packets: reputation 3/(3 + 1.5·2) = 0.5
    assert.ok(Math.abs(ev.reproduction - 1 / (1 + 2 * 300 / 330)) < 1e-9, `reproduction factor ${ev.reproduction}`)
    assert.equal(ev.reputation, 0.5)
    assert.equal(q.outcomes.index.reproductionsOf(inflated[0]!.cid).length, 1)
    assert.equal(q.outcomes.index.reputation(e.outcomes.author), 0.5)
  })
})
