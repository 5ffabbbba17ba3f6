import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { CID } from 'multiformats/cid'
import { requestBytes } from '../../src/mesh/fetch-client.ts'
import { addAdapter, addOutcome, chunksOf, deterministicBytes, loraBytes, startNode, waitFor, waitForSubscribers } from './helpers.ts'
import type { TestNode } from './helpers.ts'

const nodes: TestNode[] = []
after(async () => { await Promise.all(nodes.map(async n => n.close())) })
async function node (init: Parameters<typeof startNode>[0] = {}): Promise<TestNode> {
  const n = await startNode(init)
  nodes.push(n)
  return n
}

describe('mesh over the memory transport', { timeout: 60_000 }, () => {
  it('an announced adapter is fetched, verified and stored by every node', async () => {
    const a = await node()
    const b = await node()
    const c = await node()
    await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
    await c.mesh.dial(a.mesh.multiaddrs()[0] as string)
    await waitForSubscribers(a, 2)
    // and each of them has heard a's subscription: a's outbound gossip streams are open
    await Promise.all([waitForSubscribers(b, 1), waitForSubscribers(c, 1)])
    const bytes = loraBytes(2_500_000, 7)
    const gotB = waitFor(b.mesh, 'artifact:admitted')
    const gotC = waitFor(c.mesh, 'artifact:admitted')
    const announced = waitFor(b.mesh, 'announcement')
    const artifact = await addAdapter(a, bytes, 'announced')
    const cid = artifact.cid.toString()
    assert.equal((await announced).cid, cid)
    assert.equal((await gotB).cid, cid)
    assert.equal((await gotC).cid, cid)
    for (const n of [b, c]) {
      const stored = n.library.get(cid)
      assert.equal(stored?.status, 'trusted')
      assert.equal(stored?.sourcePeer, a.mesh.peerId.toString())
      const chunks = (stored?.envelope.body as { chunks: unknown[] }).chunks.map(String)
      assert.deepEqual(Buffer.concat(chunks.map(ch => n.library.blobs.get(ch))), Buffer.from(bytes))
    }
  })

  it('sync on connect copies what the other side lacks, both ways', async () => {
    const a = await node()
    const b = await node()
    const onlyA = await Promise.all(Array.from({ length: 25 }, async (_, i) => addOutcome(a, i)))
    const onlyB = await Promise.all(Array.from({ length: 5 }, async (_, i) => addOutcome(b, 1000 + i)))
    const adapter = await addAdapter(a, loraBytes(1_300_000, 3), 'synced')
    const want = new Set([...onlyA, adapter].map(x => x.cid.toString()))
    const bGotAll = new Promise<void>(resolve => {
      const off = b.mesh.on('artifact:admitted', d => { want.delete(d.cid); if (want.size === 0) { off(); resolve() } })
    })
    const aGot = new Set(onlyB.map(x => x.cid.toString()))
    const aGotAll = new Promise<void>(resolve => {
      const off = a.mesh.on('artifact:admitted', d => { aGot.delete(d.cid); if (aGot.size === 0) { off(); resolve() } })
    })
    await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
    await Promise.all([bGotAll, aGotAll])
    assert.equal(b.library.syncKeys().length, 31)
    assert.equal(a.library.syncKeys().length, 31)
  })

  it('syncWith reports the difference both ways and a second sync finds none', async () => {
    const a = await node({ syncOnConnect: false })
    const b = await node({ syncOnConnect: false })
    for (let i = 0; i < 40; i++) {
      const o = await addOutcome(a, i)
      if (i >= 30) b.library.put(o, { sourcePeer: a.mesh.peerId.toString() })
    }
    const onlyB = new Set<string>()
    for (let i = 40; i < 45; i++) onlyB.add((await addOutcome(b, i)).cid.toString())
    // the initiator offers the responder what it lacks, so one session serves both sides
    const aGot = new Promise<void>(resolve => {
      const off = a.mesh.on('artifact:admitted', d => { onlyB.delete(d.cid); if (onlyB.size === 0) { off(); resolve() } })
    })
    const r = await b.mesh.syncWith(a.mesh.multiaddrs()[0] as string)
    assert.equal(r.need.length, 30)
    assert.equal(r.have.length, 5)
    assert.equal(r.fetched.filter(f => f.outcome === 'admitted').length, 30)
    assert.deepEqual(r.failed, [])
    await aGot
    const again = await b.mesh.syncWith(a.mesh.peerId)
    assert.equal(again.need.length, 0)
    assert.equal(again.have.length, 0)
  })

  it('the fetch policy declines kinds and families it does not want', async () => {
    const a = await node({ syncOnConnect: false })
    const b = await node({ syncOnConnect: false, policy: { kinds: ['adapter'], families: ['qwen'] } })
    await addOutcome(a, 1)
    const llama = await addAdapter(a, loraBytes(10_000, 1), 'llama-one', { family: 'llama' })
    const qwen = await addAdapter(a, loraBytes(10_000, 2), 'qwen-one', { family: 'qwen' })
    const r = await b.mesh.syncWith(a.mesh.multiaddrs()[0] as string)
    assert.equal(r.need.length, 3)
    assert.ok(b.library.has(qwen.cid.toString()))
    assert.ok(!b.library.has(llama.cid.toString()))
    assert.equal(b.library.list({ kind: 'outcome' }).length, 0)
    assert.equal(r.fetched.filter(f => f.outcome === 'unwanted').length, 2)
    // the next periodic sync does not count the two declined artifacts as new again
    const again = await b.mesh.syncWith(a.mesh.peerId)
    assert.deepEqual(again.need, [])
    assert.deepEqual(again.fetched, [])
  })

  it('a sync counts only what will be transferred, not what is held unshared here', async () => {
    const a = await node({ syncOnConnect: false })
    const b = await node({ syncOnConnect: false })
    const held = await addOutcome(a, 7)
    b.library.put(held, { status: 'quarantined', shareable: false, sourcePeer: a.mesh.peerId.toString() })
    const done: number[] = []
    b.mesh.on('sync:done', e => { done.push(e.need.length) })
    const r = await b.mesh.syncWith(a.mesh.multiaddrs()[0] as string)
    assert.deepEqual(r.need, [], 'the held artifact is not "new"')
    assert.deepEqual(r.fetched, [])
    assert.deepEqual(done, [0])
  })

  it('chunks of one adapter come from several peers at once', async () => {
    const a = await node({ syncOnConnect: false })
    const m = await node({ syncOnConnect: false })
    const c = await node({ syncOnConnect: false, perPeerConcurrency: 1 })
    const bytes = loraBytes(6 * 1024 * 1024 - 17, 11)
    const artifact = await addAdapter(a, bytes, 'shared')
    await addAdapter(m, bytes, 'shared-copy')
    m.library.put(artifact, { sourcePeer: a.mesh.peerId.toString() })
    await c.mesh.dial(a.mesh.multiaddrs()[0] as string)
    await c.mesh.dial(m.mesh.multiaddrs()[0] as string)
    const r = await c.mesh.fetch(artifact.cid.toString(), { providers: [a.mesh.peerId, m.mesh.peerId] })
    assert.equal(r.outcome, 'admitted')
    assert.equal(r.chunks?.fetched, 6)
    assert.deepEqual(Object.keys(r.chunks?.byPeer ?? {}).sort(), [a.mesh.peerId.toString(), m.mesh.peerId.toString()].sort())
    const chunks = chunksOf(artifact)
    assert.deepEqual(Buffer.concat(chunks.map(ch => c.library.blobs.get(ch))), Buffer.from(bytes))
  })

  it('a peer serving a corrupted chunk is caught and the chunk comes from another peer', async () => {
    const bytes = loraBytes(3 * 1024 * 1024, 5)
    // the honest peer is slower, so the bad chunk arrives before an end-game race could replace it
    const a = await node({ syncOnConnect: false, serveBytesPerSecond: 800_000 })
    const artifact = await addAdapter(a, bytes, 'victim')
    const chunks = chunksOf(artifact)
    const bad = chunks[1] as string
    const m = await node({
      syncOnConnect: false,
      serveTransform: (cid, data) => {
        if (cid !== bad) return data
        const copy = new Uint8Array(data)
        copy[1000] = (copy[1000] ?? 0) ^ 0xff
        return copy
      }
    })
    await addAdapter(m, bytes, 'victim-copy')
    m.library.put(artifact, { sourcePeer: a.mesh.peerId.toString() })
    const c = await node({ syncOnConnect: false, perPeerConcurrency: 4 })
    await c.mesh.dial(a.mesh.multiaddrs()[0] as string)
    await c.mesh.dial(m.mesh.multiaddrs()[0] as string)
    const corrupt: string[] = []
    c.mesh.on('fetch:progress', e => { if (e.type === 'chunk:corrupt') corrupt.push(`${e.peer}/${e.cid}`) })
    // the corrupting peer is asked first, so it serves the bad chunk
    const r = await c.mesh.fetch(artifact.cid.toString(), { providers: [m.mesh.peerId, a.mesh.peerId] })
    assert.equal(r.outcome, 'admitted')
    assert.deepEqual(corrupt, [`${m.mesh.peerId.toString()}/${bad}`])
    assert.deepEqual(Buffer.concat(chunks.map(ch => c.library.blobs.get(ch))), Buffer.from(bytes))
  })

  it('swarming from four seeders: one that lies on every chunk is dropped, nothing bad is stored', async () => {
    const bytes = deterministicBytes(10 * 1024 * 1024, 13)
    const first = await node({ syncOnConnect: false })
    const artifact = await addAdapter(first, bytes, 'swarmed')
    const liar = await node({
      syncOnConnect: false,
      serveTransform: (_cid, data) => { const copy = new Uint8Array(data); copy[0] = (copy[0] ?? 0) ^ 1; return copy }
    })
    const seeders = [first, liar, await node({ syncOnConnect: false }), await node({ syncOnConnect: false })]
    for (const s of seeders.slice(1)) {
      await addAdapter(s, bytes, 'swarmed-copy')
      s.library.put(artifact, { sourcePeer: first.mesh.peerId.toString() })
    }
    const c = await node({ syncOnConnect: false, perPeerConcurrency: 2 })
    for (const s of seeders) await c.mesh.dial(s.mesh.multiaddrs()[0] as string)
    const corrupt: string[] = []
    c.mesh.on('fetch:progress', e => { if (e.type === 'chunk:corrupt') corrupt.push(e.peer) })
    // the liar is asked first
    const r = await c.mesh.fetch(artifact.cid.toString(), { providers: [liar, ...seeders.filter(s => s !== liar)].map(s => s.mesh.peerId) })
    assert.equal(r.outcome, 'admitted')
    const liarId = liar.mesh.peerId.toString()
    assert.ok(corrupt.length >= 1 && corrupt.length <= 2, `${corrupt.length} corrupt chunks: at most the liar's requests in flight`)
    assert.ok(corrupt.every(p => p === liarId))
    assert.equal(r.chunks?.byPeer[liarId], undefined, 'nothing from the liar was stored')
    assert.equal(Object.keys(r.chunks?.byPeer ?? {}).length, 3, 'the three honest seeders all served chunks')
    for (const ch of chunksOf(artifact)) assert.equal(await c.library.blobs.verify(ch), true)
    assert.deepEqual(Buffer.concat(chunksOf(artifact).map(ch => c.library.blobs.get(ch))), Buffer.from(bytes))
  })

  it('end game: a chunk held up by a slow seeder is raced from a free one, which wins', async () => {
    const bytes = deterministicBytes(4 * 1024 * 1024, 17)
    const fast = await node({ syncOnConnect: false })
    const artifact = await addAdapter(fast, bytes, 'raced')
    // about 10 s for one chunk
    const slow = await node({ syncOnConnect: false, serveBytesPerSecond: 80_000 })
    await addAdapter(slow, bytes, 'raced-copy')
    slow.library.put(artifact, { sourcePeer: fast.mesh.peerId.toString() })
    const c = await node({ syncOnConnect: false, perPeerConcurrency: 1 })
    for (const s of [slow, fast]) await c.mesh.dial(s.mesh.multiaddrs()[0] as string)
    const r = await c.mesh.fetch(artifact.cid.toString(), { providers: [slow.mesh.peerId, fast.mesh.peerId] })
    assert.equal(r.outcome, 'admitted')
    assert.equal(r.chunks?.fetched, 4)
    assert.deepEqual(r.chunks?.byPeer, { [fast.mesh.peerId.toString()]: 4 }, 'the slow seeder\'s chunk came from the fast one')
    assert.deepEqual(Buffer.concat(chunksOf(artifact).map(ch => c.library.blobs.get(ch))), Buffer.from(bytes))
  })

  it('the chunk server answers only for chunks of artifacts this node shares', async () => {
    const a = await node({ syncOnConnect: false })
    const c = await node({ syncOnConnect: false })
    const artifact = await addAdapter(a, deterministicBytes(1_200_000, 21), 'private-weights')
    const stray = a.library.blobs.put(deterministicBytes(5000, 22))
    await c.mesh.dial(a.mesh.multiaddrs()[0] as string)
    const ask = async (chunk: string): Promise<Uint8Array> => (await requestBytes(c.mesh.libp2p, a.mesh.peerId, CID.parse(chunk))).data
    const first = chunksOf(artifact)[0] as string
    assert.equal((await ask(first)).length, 1024 * 1024, 'a chunk of a shared adapter is served')
    a.library.setShareable(artifact.cid.toString(), false)
    await assert.rejects(ask(first), { name: 'FetchRefusedError' })
    a.library.setShareable(artifact.cid.toString(), true)
    a.library.setStatus(artifact.cid.toString(), 'quarantined', 'held for the test')
    await assert.rejects(ask(first), { name: 'FetchRefusedError' })
    await assert.rejects(ask(stray), { name: 'FetchRefusedError' }, 'a blob no artifact refers to is not served')
  })
})
