/** Wire-level behaviour: back-pressure, garbage from peers, announcements, admission, limits. */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createArtifact } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { decodeAnnouncement, encodeAnnouncement, announcementFor } from '../../src/mesh/announce.ts'
import { FETCH_PROTOCOL, SYNC_PROTOCOL, WRITE_SIZE } from '../../src/mesh/constants.ts'
import { createMesh } from '../../src/mesh/index.ts'
import { StreamReader, frame, sendAll } from '../../src/mesh/stream-io.ts'
import { addOutcome, startNode, tempHome, testTrust, waitFor } from './helpers.ts'
import type { TestNode } from './helpers.ts'
import type { OutcomeBody } from '../../src/artifacts/index.ts'
import type { MeshComponents } from '../../src/mesh/index.ts'

const nodes: TestNode[] = []
after(async () => { await Promise.all(nodes.map(async n => n.close())) })
async function node (init: Parameters<typeof startNode>[0] = {}): Promise<TestNode> {
  const n = await startNode({ syncOnConnect: false, ...init })
  nodes.push(n)
  return n
}

describe('stream back-pressure', { timeout: 60_000 }, () => {
  it('sendAll keeps at most one write buffered while streaming 8 MiB over TCP', async (t) => {
    const a = await node({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    const b = await node({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    const total = 8 * 1024 * 1024
    const data = new Uint8Array(total).fill(7)
    let ours = 0
    let naive = 0
    let drains = 0
    // each handler waits for a request frame, as /baobab/fetch/2 does, so the reader is attached
    await a.mesh.libp2p.handle('/baobab-test/bp/1', async (stream) => {
      await new StreamReader(stream, 'bp').readFrame(16)
      stream.addEventListener('drain', () => { drains++ })
      await sendAll(stream, data, { writeSize: WRITE_SIZE, onSent: () => { ours = Math.max(ours, stream.writeBufferLength) } })
      await stream.close()
    })
    await a.mesh.libp2p.handle('/baobab-test/naive/1', async (stream) => {
      await new StreamReader(stream, 'naive').readFrame(16)
      // the loop RECIPES warns about: onDrain() resolves at once after its first use
      for (let off = 0; off < total; off += WRITE_SIZE) {
        if (!stream.send(data.subarray(off, off + WRITE_SIZE))) await stream.onDrain()
        naive = Math.max(naive, stream.writeBufferLength)
      }
      await stream.close()
    })
    for (const proto of ['/baobab-test/bp/1', '/baobab-test/naive/1']) {
      const s = await b.mesh.libp2p.dialProtocol(a.mesh.libp2p.getMultiaddrs()[0]!, proto)
      const reader = new StreamReader(s, proto)
      s.send(frame(new Uint8Array([1])))
      let n = 0
      for await (const piece of reader.rest()) n += piece.length
      assert.equal(n, total)
    }
    t.diagnostic(`max buffered: sendAll ${ours} B after ${drains} waits for 'drain'; naive onDrain loop ${naive} B`)
    assert.ok(drains > 0, 'the transport pushed back at least once')
    assert.ok(ours <= WRITE_SIZE, `sendAll buffered ${ours} bytes`)
  })
})

describe('peers that send garbage are disconnected', { timeout: 60_000 }, () => {
  for (const [name, proto, bytes] of [
    ['sync: bad version byte', SYNC_PROTOCOL, frame(new Uint8Array([9, 0, 0]))],
    ['sync: frame over the size limit', SYNC_PROTOCOL, new Uint8Array([0xff, 0xff, 0xff, 0x7f])],
    ['fetch: request is not CBOR', FETCH_PROTOCOL, frame(new Uint8Array([0xff, 0x00, 0x13]))],
    ['fetch: request with a bad offset', FETCH_PROTOCOL, frame(dagCbor.encode({ cid: 'x', offset: -1 }))]
  ] as const) {
    it(name, async () => {
      const a = await node()
      const b = await node()
      await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
      const gone = waitFor(b.mesh, 'peer:disconnected', d => d.peer === a.mesh.peerId.toString())
      const s = await b.mesh.libp2p.dialProtocol(a.mesh.peerId, proto)
      s.send(bytes)
      await gone
      assert.equal(a.mesh.peers().length, 0)
    })
  }

  it('a valid sync still works after garbage from someone else', async () => {
    const a = await node()
    const b = await node()
    await addOutcome(a, 1)
    const r = await b.mesh.syncWith(a.mesh.multiaddrs()[0] as string, { fetch: false })
    assert.equal(r.need.length, 1)
    assert.ok(r.bytesSent > 0 && r.bytesReceived > 0)
  })
})

describe('announcements', { timeout: 60_000 }, () => {
  it('round trip, and any tampering is refused with a named error', async () => {
    const key = await generateKeyPair('Ed25519')
    const art = await createArtifact('revocation', { target: (await createArtifact('outcome', {
      family: 'llama', task: 't', tags: [], dataScale: 's', benchmark: 'b', baseline: 0, score: 1, delta: 1, method: 'm', params: {}, heldOut: true, nEval: 1, confidence: 1
    }, key)).cid, reason: 'r' }, key)
    const a = announcementFor(art, key, ['/ip4/127.0.0.1/tcp/1'])
    const bytes = await encodeAnnouncement(a, key)
    assert.ok(bytes.length < 400, `${bytes.length} bytes`)
    assert.deepEqual(await decodeAnnouncement(bytes), a)
    const m = dagCbor.decode<Record<string, unknown>>(bytes)
    for (const mutate of [
      (x: Record<string, unknown>) => { x.at = (x.at as number) + 1 },
      (x: Record<string, unknown>) => { x.kind = 'adapter' },
      (x: Record<string, unknown>) => { x.extra = 1 },
      (x: Record<string, unknown>) => { x.addrs = ['a', 'b', 'c', 'd', 'e'] }
    ]) {
      const copy = { ...m }
      mutate(copy)
      await assert.rejects(decodeAnnouncement(dagCbor.encode(copy)), { name: 'ProtocolViolationError' })
    }
    await assert.rejects(decodeAnnouncement(new Uint8Array(2000)), { name: 'ProtocolViolationError' })
  })

  it('announcing with nobody subscribed is not an error', async () => {
    const a = await node()
    const o = await addOutcome(a, 3)
    assert.deepEqual(await a.mesh.announce(o), { cid: o.cid.toString(), recipients: 0 })
  })
})

describe('admission', { timeout: 60_000 }, () => {
  it('a mesh cannot be built without the trust pipeline', async () => {
    const library = openLibrary({ home: tempHome() })
    try {
      const key = await generateKeyPair('Ed25519')
      assert.throws(() => createMesh({ privateKey: key, library } as unknown as MeshComponents), { name: 'InvalidMeshConfigError', message: /trust pipeline/ })
    } finally {
      library.close()
    }
  })

  it('verifies, quarantines, then lets the trust policy decide, and emits events', async () => {
    const library = openLibrary({ home: tempHome() })
    try {
      const key = await generateKeyPair('Ed25519')
      const denied = await generateKeyPair('Ed25519')
      const trust = testTrust(library, await generateKeyPair('Ed25519'))
      trust.setPeer(peerIdFromPrivateKey(denied).toString(), 'deny')
      const admission = trust.admission
      const seen: string[] = []
      for (const ev of ['artifact:quarantined', 'artifact:admitted', 'artifact:rejected']) admission.events.addEventListener(ev, () => { seen.push(ev) })
      const body: OutcomeBody = { family: 'llama', task: 't', tags: [], dataScale: 's', benchmark: 'acc', baseline: 0.5, score: 0.55, delta: 0.05, method: 'm', params: {}, heldOut: true, nEval: 100, confidence: 0.5 }
      const o = await createArtifact('outcome', body, key)
      const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      const r = await admission.admit(o.bytes, { source: { type: 'peer', peer } })
      assert.equal(r.status, 'trusted', r.reason ?? '')
      assert.equal(library.get(o.cid.toString())?.status, 'trusted')
      assert.deepEqual(seen, ['artifact:quarantined', 'artifact:admitted'])
      // a deny-listed author's artifact is refused before anything is stored
      const bad = await createArtifact('outcome', { ...body, task: 'u' }, denied)
      const refused = await admission.admit(bad.bytes, { source: { type: 'peer', peer } })
      assert.equal(refused.status, 'rejected')
      assert.match(refused.reason ?? '', /deny-listed/)
      assert.equal(library.get(bad.cid.toString()), undefined)
      const again = await admission.admit(o.bytes, { source: { type: 'peer', peer } })
      assert.equal(again.inserted, false)
      const tampered = new Uint8Array(o.bytes)
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1
      const before = library.counts()
      await assert.rejects(admission.admit(tampered, { source: { type: 'local' } }), { name: 'InvalidSignatureError' })
      await assert.rejects(admission.admit(o.bytes, { source: { type: 'local' }, expectedCid: 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' }), { name: 'CidMismatchError' })
      assert.deepEqual(library.counts(), before)
    } finally {
      library.close()
    }
  })
})

describe('limits and configuration', { timeout: 60_000 }, () => {
  it('bad multiaddrs are named errors; relay/autonat/dcutr start when enabled', async () => {
    const a = await node({ relay: true, listen: ['/ip4/127.0.0.1/tcp/0'] })
    assert.ok('relay' in a.mesh.libp2p.services && 'autonat' in a.mesh.libp2p.services && 'dcutr' in a.mesh.libp2p.services)
    await assert.rejects(a.mesh.dial('not-a-multiaddr'), { name: 'InvalidMultiaddrError' })
    await assert.rejects(startNode({ bootstrap: ['/ip4/127.0.0.1/tcp/1'] }), { name: 'InvalidMultiaddrError' })
  })
})
