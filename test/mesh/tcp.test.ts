/** Real TCP on 127.0.0.1: bootstrap discovery, interrupted and resumed transfers, private networks. */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { createNetworkKey } from '../../src/mesh/network-key.ts'
import { addAdapter, chunksOf, loraBytes, startNode, waitFor, waitForSubscribers } from './helpers.ts'
import type { TestNode } from './helpers.ts'
import type { ServedEvent } from '../../src/mesh/index.ts'

const TCP = ['/ip4/127.0.0.1/tcp/0']
const nodes: TestNode[] = []
after(async () => { await Promise.all(nodes.map(async n => n.close())) })
async function node (init: Parameters<typeof startNode>[0] = {}): Promise<TestNode> {
  const n = await startNode({ listen: TCP, ...init })
  nodes.push(n)
  return n
}

/** A multi-MB GGUF LoRA (the trust screens parse what arrives). */
function adapterBytes (): { bytes: Uint8Array, source: string } {
  return { bytes: loraBytes(5 * 1024 * 1024 + 123, 42), source: 'a generated GGUF LoRA' }
}

describe('mesh over TCP loopback', { timeout: 150_000 }, () => {
  it('bootstrap discovery, then an announcement reaches and is stored on every node', async () => {
    const a = await node()
    const addr = a.mesh.multiaddrs().find(m => m.includes('/tcp/')) as string
    const connected = waitFor(a.mesh, 'peer:connected')
    const b = await node({ bootstrap: [addr] })
    const c = await node({ bootstrap: [addr] })
    await connected
    await waitForSubscribers(a, 2)
    // and each of them has heard a's subscription: a's outbound gossip streams are open
    await Promise.all([waitForSubscribers(b, 1), waitForSubscribers(c, 1)])
    const admitted = [b, c].map(async n => waitFor(n.mesh, 'artifact:admitted'))
    const artifact = await addAdapter(a, loraBytes(1_500_000, 9), 'over-tcp')
    for (const d of await Promise.all(admitted)) assert.equal(d.cid, artifact.cid.toString())
    for (const n of [b, c]) assert.equal(n.library.get(artifact.cid.toString())?.status, 'trusted')
    const known = b.mesh.knownPeers().find(p => p.peer === a.mesh.peerId.toString())
    assert.equal(known?.connected, true)
    assert.ok(known?.addrs.some(x => x.includes('/tcp/')))
  })

  it('a connection killed mid-chunk resumes from the bytes received; the file is identical', async (t) => {
    const { bytes, source } = adapterBytes()
    t.diagnostic(`adapter: ${source} (${bytes.length} bytes)`)
    const a = await node({ syncOnConnect: false })
    const artifact = await addAdapter(a, bytes, 'interrupted')
    const chunks = chunksOf(artifact)
    assert.ok(chunks.length >= 3)
    const served: ServedEvent[] = []
    a.mesh.on('fetch:served', e => { served.push(e) })
    const b = await node({ syncOnConnect: false, perPeerConcurrency: 1 })
    await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
    let killed = false
    let verified = 0
    const r = await b.mesh.fetch(artifact.cid.toString(), {
      providers: [a.mesh.peerId],
      onProgress: e => {
        if (e.type === 'chunk:verified') verified++
        if (!killed && verified === 2 && e.type === 'chunk:bytes' && e.received >= 256 * 1024 && e.received < e.size) {
          killed = true
          for (const conn of b.mesh.libp2p.getConnections(a.mesh.peerId)) conn.abort(new Error('cable pulled'))
        }
      }
    })
    assert.ok(killed, 'the connection was killed during the third chunk')
    assert.equal(r.outcome, 'admitted')
    const resumed = served.filter(s => s.offset > 0)
    assert.equal(resumed.length, 1, 'one chunk was resumed from an offset')
    assert.ok((resumed[0]?.offset ?? 0) >= 256 * 1024)
    assert.deepEqual(Buffer.concat(chunks.map(ch => b.library.blobs.get(ch))), Buffer.from(bytes))
  })

  it('a transfer stopped by a restart resumes from the last verified chunk', async () => {
    const bytes = loraBytes(6 * 1024 * 1024, 77)
    const a = await node({ syncOnConnect: false })
    const artifact = await addAdapter(a, bytes, 'restart')
    const cid = artifact.cid.toString()
    const chunks = chunksOf(artifact)
    const first = await startNode({ listen: TCP, syncOnConnect: false, perPeerConcurrency: 1 })
    await first.mesh.dial(a.mesh.multiaddrs()[0] as string)
    let verified = 0
    const stopped = first.mesh.fetch(cid, {
      onProgress: e => {
        if (e.type === 'chunk:verified' && ++verified === 2) void first.close(false)
      }
    })
    await assert.rejects(stopped)
    const present = chunks.filter(c => first.library.blobs.has(c)).length
    assert.ok(present >= 2 && present < chunks.length, `${present} chunks present after the stop`)
    assert.ok(!first.library.has(cid))

    const served: string[] = []
    a.mesh.on('fetch:served', e => { if (e.cid !== cid) served.push(e.cid) })
    const second = await node({ home: first.home, key: first.key, syncOnConnect: false })
    const done = waitFor(second.mesh, 'artifact:admitted', d => d.cid === cid)
    await second.mesh.dial(a.mesh.multiaddrs()[0] as string)
    await done
    assert.equal(served.length, chunks.length - present, 'only the missing chunks were fetched again')
    assert.deepEqual(Buffer.concat(chunks.map(ch => second.library.blobs.get(ch))), Buffer.from(bytes))
  })

  it('private network: a node without the key, or with another key, cannot connect', async () => {
    const psk = createNetworkKey()
    const a = await node({ psk })
    const b = await node({ psk })
    const peer = await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
    assert.equal(peer, a.mesh.peerId.toString())
    const outsider = await node()
    await assert.rejects(outsider.mesh.dial(a.mesh.multiaddrs()[0] as string, { signal: AbortSignal.timeout(5000) }))
    const stranger = await node({ psk: createNetworkKey(), dialTimeoutMs: 800 })
    await assert.rejects(stranger.mesh.dial(a.mesh.multiaddrs()[0] as string, { signal: AbortSignal.timeout(1500) }))
    const peersOfA = a.mesh.peers().map(p => p.peer)
    assert.ok(peersOfA.includes(b.mesh.peerId.toString()))
    assert.ok(!peersOfA.includes(outsider.mesh.peerId.toString()))
    assert.ok(!peersOfA.includes(stranger.mesh.peerId.toString()))
  })
})
