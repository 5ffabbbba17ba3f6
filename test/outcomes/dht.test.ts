import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createArtifact } from '../../src/artifacts/index.ts'
import { OutcomeDht, encodeRecord, exactKey, measuredConfidence, signEntry } from '../../src/outcomes/index.ts'
import { createTestNodes, stopTestNodes } from './helpers/dht-nodes.ts'
import type { OutcomeInput } from '../../src/outcomes/index.ts'
import type { TestNode } from './helpers/dht-nodes.ts'

const family = 'qwen2.5-0.5b'
// the confidence a packet may claim is what its nEval supports (the trust pipeline screens it on admission)
function input (task: string, tags: string[], method: string, delta: number, params: Record<string, number | string>, nEval = 400): OutcomeInput {
  const confidence = measuredConfidence(0.30, 0.30 + delta, nEval, true)
  return { family, task, tags, benchmark: 'rouge-l', baseline: 0.30, score: 0.30 + delta, method, params, nEval, confidence, dataScale: 'm' }
}

describe('outcomes over a 10-node kad-dht on loopback', { timeout: 120_000 }, () => {
  let nodes: TestNode[] = []
  // 4 bands of 4 bits keep the test within its time budget on a shared 2-core machine (5 DHT keys
  // per packet instead of 11); the default 10×5 scheme is exercised in fingerprint.test.ts and bench/
  before(async () => { nodes = await createTestNodes(10, { service: { lsh: { bands: 4, rows: 4 } } }) })
  after(async () => { await stopTestNodes(nodes) })

  it('a node with a similar, not identical context finds other nodes\' packets and gets a recommendation with evidence', async () => {
    const query = { family, task: 'summaries of physician notes', tags: ['medical', 'english'] }
    const a = await nodes[1]!.outcomes.publish(input('clinical note summarisation', ['medical', 'english'], 'LoRA', 0.06, { r: 16, lr: 0.0002 }, 500))
    const b = await nodes[2]!.outcomes.publish(input("summarising doctor's notes", ['medical'], 'lora', 0.04, { r: 8, lr: 0.0001 }, 300))
    const d = await nodes[3]!.outcomes.publish(input(query.task, query.tags, 'q-lora', 0.02, { r: 8, lr: 0.0002 }, 200))
    const far = await nodes[4]!.outcomes.publish(input('legal contract translation', ['german'], 'full', 0.2, { lr: 0.00001 }))
    assert.equal(a.keys.length, 5)
    assert.ok(a.dht!.stored > 0, 'peers acknowledged the puts')
    assert.equal(a.dht!.failed, 0)

    const c = nodes[9]!
    const res = await c.outcomes.query(query)
    const byCid = new Map(res.matches.map(m => [m.cid, m]))
    assert.equal(byCid.get(d.cid)?.match, 'exact', 'the identical context is an exact match')
    assert.equal(res.matches[0]!.cid, d.cid, 'exact matches come first')
    for (const cid of [a.cid, b.cid]) {
      const m = byCid.get(cid)
      assert.ok(m != null, `found ${cid} via the DHT`)
      assert.equal(m.match, 'near')
      assert.equal(m.source, 'dht')
      assert.ok(m.similarity >= 0.35)
      // stored by the trust pipeline, which decided it (its screens pass a plausible packet)
      assert.equal(c.library.get(cid)?.status, 'trusted')
      assert.match(c.library.get(cid)?.reason ?? '', /^(?!outcomes: listed)/)
    }
    assert.equal(byCid.has(far.cid), false, 'an unrelated context is not a match')
    assert.deepEqual(res.rejected, [])

    const rec = await c.outcomes.recommend(query)
    assert.equal(rec.method, 'lora')
    assert.deepEqual(new Set(rec.evidence.map(e => e.cid)), new Set([a.cid, b.cid, d.cid]))
    assert.ok(rec.authors.includes(nodes[1]!.outcomes.author) && rec.authors.includes(nodes[2]!.outcomes.author))
    assert.ok(rec.expectedDelta != null && rec.expectedDelta.mean > 0.04 && rec.expectedDelta.mean < 0.06)
    assert.equal(rec.params.r?.kind, 'numeric')

    // the querier's own packet counts as a source, also with no network at all
    const own = await c.outcomes.publish(input(query.task, query.tags, 'lora', 0.05, { r: 32 }), { local: true })
    const local = await c.outcomes.query(query, { local: true })
    assert.ok(local.matches.some(m => m.cid === own.cid && m.own && m.match === 'exact'))
  })

  it('authors who write at once without reading first all end up in the record: replicas merge what they are sent', async () => {
    const key = exactKey({ family, task: 'concurrent writers', tags: ['x'] })
    const writers = [nodes[1]!, nodes[2]!, nodes[3]!]
    const puts = await Promise.all(writers.map(async (w, i) => {
      const packet = await w.outcomes.build(input(`concurrent writers ${i}`, ['x'], 'lora', 0.01 + i / 100, { r: 4 }))
      return new OutcomeDht({ dht: w.libp2p.services.dht, privateKey: w.privateKey }).put(key, [packet.artifact.cid])
    }))
    for (const w of puts) assert.equal(w.record.entries.length, 1, 'a write carries only its author\'s entry')
    // every replica a write reaches merges it: wait for the writes' background parts too
    await Promise.all(puts.map(async w => w.settled))
    // a full read (no early stop) from a node that wrote nothing sees every author on every replica it asks
    const read = await new OutcomeDht({ dht: nodes[9]!.libp2p.services.dht, privateKey: nodes[9]!.privateKey, quorum: 0 }).get(key)
    assert.deepEqual(new Set(read.record?.entries.map(e => e.author)), new Set(writers.map(w => w.outcomes.author)))
    // the default read stops once replicas agree and finds the same
    const quick = await new OutcomeDht({ dht: nodes[8]!.libp2p.services.dht, privateKey: nodes[8]!.privateKey }).get(key)
    assert.deepEqual(new Set(quick.record?.entries.map(e => e.author)), new Set(writers.map(w => w.outcomes.author)))
    assert.ok(quick.reach.asked.length <= read.reach.asked.length, `the quorum read asked ${quick.reach.asked.length} peers, the full one ${read.reach.asked.length}`)
  })

  it('a write returns once enough replicas acknowledged it, the other closest peers get it in the background, and another node reads it at once', async () => {
    const key = exactKey({ family, task: 'early return of a write', tags: ['x'] })
    const writer = nodes[4]!
    const packet = await writer.outcomes.build(input('early return of a write', ['x'], 'lora', 0.02, { r: 4 }))
    const w = await new OutcomeDht({ dht: writer.libp2p.services.dht, privateKey: writer.privateKey, replicas: 2 }).put(key, [packet.artifact.cid])
    assert.ok(w.stored >= 2, `returned after ${w.stored} acknowledgements`)
    // read right after the write returned, while its background part may still run
    const read = await new OutcomeDht({ dht: nodes[6]!.libp2p.services.dht, privateKey: nodes[6]!.privateKey }).get(key)
    assert.deepEqual(read.record?.entries.map(e => e.author), [writer.outcomes.author])
    const all = await w.settled
    // 9 peers, k = 10: every other node is among the closest
    assert.ok(all > 2 && all >= w.stored, `${all} replicas acknowledged in the end`)
    // replicas 0: the write returns only when every closest peer answered
    const full = await new OutcomeDht({ dht: writer.libp2p.services.dht, privateKey: writer.privateKey, replicas: 0 }).put(key, [packet.artifact.cid])
    assert.ok(full.stored > 2, `a full write returned after ${full.stored} acknowledgements`)
    assert.equal(await full.settled, full.stored, 'nothing was left to the background')
  })

  it('refuses records with bad signatures and packets foreign to the entry or the key; stores none of them', async () => {
    // another family, so test 1's packets cannot be near matches here
    const family = 'phi-3-mini'
    const key = exactKey({ family, task: 'radiology report generation', tags: ['medical'] })
    const m = nodes[5]!
    const honest = await nodes[6]!.outcomes.publish({ ...input('radiology report generation', ['medical'], 'lora', 0.03, { r: 4 }), family })
    assert.equal(honest.keys[0], key)

    // 1. a tampered entry: peers refuse the put, nobody stores or follows it
    const bogus = await createArtifact('outcome', { family, task: 'radiology report generation', tags: ['medical'], dataScale: 'm', benchmark: 'b', baseline: 0, score: 0.5, delta: 0.5, method: 'lora', params: {}, heldOut: true, nEval: 10, confidence: 1 }, m.privateKey)
    m.library.put(bogus)
    const entry = await signEntry(key, m.privateKey, [bogus.cid], Date.now())
    const tampered = encodeRecord({ v: 1, entries: [{ ...entry, updated: entry.updated + 1 }] })
    let acks = 0
    let errors = 0
    for await (const e of m.libp2p.services.dht.put(new TextEncoder().encode(key), tampered)) {
      if (e.name === 'PEER_RESPONSE' && e.messageName === 'PUT_VALUE') acks++
      if (e.name === 'QUERY_ERROR') errors++
    }
    assert.equal(acks, 0, 'no peer accepted a record with a bad signature')
    assert.ok(errors > 0)

    // 2. a validly signed entry listing another author's packet and an unrelated packet of its own
    const stolen = await nodes[7]!.outcomes.build({ ...input('radiology report generation', ['medical'], 'lora', 0.25, { r: 64 }), family })
    m.library.put(stolen.artifact)
    const unrelated = await m.outcomes.build({ ...input('poetry generation', ['art'], 'lora', 0.3, { r: 2 }), family })
    m.library.put(unrelated.artifact)
    await m.outcomes.index.setKeys(unrelated.artifact.cid.toString(), m.outcomes.author, Date.now(), [key])
    const dht = new OutcomeDht({ dht: m.libp2p.services.dht, privateKey: m.privateKey })
    await dht.put(key, [stolen.artifact.cid, unrelated.artifact.cid, bogus.cid])

    const q = nodes[8]!
    const res = await q.outcomes.query({ family, task: 'radiology report generation', tags: ['medical'] })
    assert.deepEqual(res.matches.map(x => x.cid).sort(), [honest.cid, bogus.cid.toString()].sort(), 'only correctly listed packets match')
    const problems = new Map(res.rejected.map(r => [r.cid, r.error]))
    assert.equal(problems.get(stolen.artifact.cid.toString()), 'ForeignPacketError')
    assert.equal(problems.get(unrelated.artifact.cid.toString()), 'ForeignPacketError')
    assert.equal(q.library.has(stolen.artifact.cid.toString()), false)
    assert.equal(q.library.has(unrelated.artifact.cid.toString()), false)

    // 3. correctly listed, but claiming a confidence its evaluation cannot support: the querier's
    // trust pipeline refuses it, so it is reported and never used
    const inflated = await nodes[7]!.outcomes.build({ ...input('radiology report generation', ['medical'], 'lora', 0.01, { r: 2 }, 20), confidence: 0.99, family })
    nodes[7]!.library.put(inflated.artifact)
    await new OutcomeDht({ dht: nodes[7]!.libp2p.services.dht, privateKey: nodes[7]!.privateKey }).put(key, [stolen.artifact.cid, inflated.artifact.cid])
    const again = await q.outcomes.query({ family, task: 'radiology report generation', tags: ['medical'] })
    const cid = inflated.artifact.cid.toString()
    assert.equal(again.matches.some(x => x.cid === cid), false)
    assert.equal(new Map(again.rejected.map(r => [r.cid, r.error])).get(cid), 'PacketRefusedError')
    assert.notEqual(q.library.get(cid)?.status, 'trusted')
    assert.doesNotMatch(q.library.get(cid)?.reason ?? '', /^outcomes:/, 'trust\'s decision and reason are kept')
  })
})
