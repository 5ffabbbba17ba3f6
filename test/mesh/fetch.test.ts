/** `/baobab/fetch/2`: one stream carries pipelined requests, answered in order; broken answers are named. */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { CID } from 'multiformats/cid'
import { rawCid } from '../../src/artifacts/index.ts'
import { FETCH_PROTOCOL } from '../../src/mesh/constants.ts'
import { FetchSession } from '../../src/mesh/fetch-client.ts'
import type { RequestResult } from '../../src/mesh/fetch-client.ts'
import { encodeHeader } from '../../src/mesh/fetch-wire.ts'
import { StreamReader, frame, sendAll } from '../../src/mesh/stream-io.ts'
import { addAdapter, chunksOf, deterministicBytes, startNode } from './helpers.ts'
import type { TestNode } from './helpers.ts'
import type { Stream } from '@libp2p/interface'

const nodes: TestNode[] = []
after(async () => { await Promise.all(nodes.map(async n => n.close())) })
async function node (): Promise<TestNode> {
  const n = await startNode({ syncOnConnect: false })
  nodes.push(n)
  return n
}

/** A peer whose fetch handler answers every request with `answer` (a broken server). */
async function brokenServer (answer: (stream: Stream) => Promise<void>): Promise<TestNode> {
  const x = await node()
  await x.mesh.libp2p.unhandle(FETCH_PROTOCOL)
  await x.mesh.libp2p.handle(FETCH_PROTOCOL, async stream => {
    await new StreamReader(stream, FETCH_PROTOCOL).readFrame(256)
    await answer(stream)
  })
  return x
}

/** CIDs of chunks the broken servers are asked for (they answer without looking). */
const someCid = (n: number): CID => rawCid(deterministicBytes(1000, 50 + n))

describe('fetch streams', { timeout: 60_000 }, () => {
  it('one stream answers pipelined requests in order; a refusal fails only its own request', async () => {
    const a = await node()
    const c = await node()
    const bytes = deterministicBytes(2 * 1024 * 1024 + 300, 41)
    const artifact = await addAdapter(a, bytes, 'pipelined')
    const [c0, c1, c2] = chunksOf(artifact) as [string, string, string]
    const stray = a.library.blobs.put(deterministicBytes(5000, 42))
    await c.mesh.dial(a.mesh.multiaddrs()[0] as string)
    const served: string[] = []
    a.mesh.on('fetch:served', e => { served.push(e.cid) })
    const s = await FetchSession.open(c.mesh.libp2p, a.mesh.peerId)
    const answers = [
      s.request(CID.parse(c2)),
      s.request(CID.parse(stray)),
      s.request(CID.parse(c0), { offset: 1000 }),
      s.request(artifact.cid)
    ]
    assert.equal(s.waiting, 4, 'all four asked before any answer arrived')
    s.end()
    const [r2, refused, r0, art] = answers as [Promise<RequestResult>, Promise<RequestResult>, Promise<RequestResult>, Promise<RequestResult>]
    const refusal = assert.rejects(refused, { name: 'FetchRefusedError', code: 'not-found' })
    assert.deepEqual((await r2).data, a.library.blobs.get(c2))
    await refusal
    assert.equal((await r0).size, 1024 * 1024)
    assert.deepEqual((await r0).data, a.library.blobs.get(c0).subarray(1000))
    assert.deepEqual((await art).data, artifact.bytes)
    assert.deepEqual(served, [c2, c0, artifact.cid.toString()], 'answered in request order')
    assert.equal(s.failed, false, 'the stream ended cleanly')
    await assert.rejects(s.request(CID.parse(c1)), { name: 'FetchStreamEndedError' }, 'nothing is asked after end()')
  })

  it('bytes beyond the announced size are a protocol violation; requests behind it are not answered', async () => {
    const x = await brokenServer(async stream => {
      await sendAll(stream, frame(encodeHeader({ ok: true, size: 10 })), { writeSize: 64 })
      await sendAll(stream, new Uint8Array(30), { writeSize: 64 })
    })
    const c = await node()
    await c.mesh.dial(x.mesh.multiaddrs()[0] as string)
    const s = await FetchSession.open(c.mesh.libp2p, x.mesh.peerId)
    const first = s.request(someCid(0))
    // the 20 extra bytes are read where the second answer's header belongs
    const second = assert.rejects(s.request(someCid(1)), { name: 'ProtocolViolationError' })
    const third = assert.rejects(s.request(someCid(0), { offset: 5 }), { name: 'FetchStreamEndedError' })
    assert.deepEqual((await first).data, new Uint8Array(10), 'the first answer is whole')
    await second
    await third
    assert.equal(s.failed, true)
  })

  it('a stream cut inside an answer keeps the received prefix for a resume', async () => {
    const x = await brokenServer(async stream => {
      await sendAll(stream, frame(encodeHeader({ ok: true, size: 1024 * 1024 })), { writeSize: 64 })
      await sendAll(stream, new Uint8Array(4096).fill(7), { writeSize: 4096 })
      stream.abort(new Error('cut'))
    })
    const c = await node()
    await c.mesh.dial(x.mesh.multiaddrs()[0] as string)
    const s = await FetchSession.open(c.mesh.libp2p, x.mesh.peerId)
    const first = s.request(someCid(0))
    const second = assert.rejects(s.request(someCid(1)), { name: 'FetchStreamEndedError' })
    await assert.rejects(first, (err: Error & { received?: Uint8Array, size?: number }) => {
      assert.equal(err.name, 'TruncatedTransferError')
      assert.equal(err.size, 1024 * 1024)
      assert.ok(err.received != null && err.received.length > 0 && err.received.length <= 4096 && err.received.every(b => b === 7))
      return true
    })
    await second
  })
})
