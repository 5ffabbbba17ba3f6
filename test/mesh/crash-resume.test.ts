/**
 * kill -9 of a fetching node mid-transfer (a real child process over TCP loopback): the library
 * it leaves is consistent, and on restart only the chunks it lacks are fetched again.
 */
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { loadOrCreateIdentity } from '../../src/artifacts/index.ts'
import { spawnMeshNode } from '../helpers/mesh-process.ts'
import { addAdapter, chunksOf, loraBytes, startNode, tempHome, waitFor } from './helpers.ts'
import type { TestNode } from './helpers.ts'

const TCP = ['/ip4/127.0.0.1/tcp/0']
const nodes: TestNode[] = []
after(async () => { await Promise.all(nodes.map(async n => n.close())) })

describe('kill -9 during a transfer', { timeout: 120_000 }, () => {
  it('the restarted node fetches only the missing chunks; nothing partial or unverified is kept', async () => {
    const bytes = loraBytes(12 * 1024 * 1024 + 5, 31)
    // the seeder sends 6 MB/s so the kill lands mid-transfer
    const a = await startNode({ listen: TCP, syncOnConnect: false, serveBytesPerSecond: 6_000_000 })
    nodes.push(a)
    const artifact = await addAdapter(a, bytes, 'crash-resume')
    const cid = artifact.cid.toString()
    const chunks = chunksOf(artifact)
    const home = tempHome()
    const child = await spawnMeshNode(home)
    try {
      child.send(`dial ${a.mesh.multiaddrs()[0] as string}`)
      await child.next(r => r.dialed != null)
      child.send(`fetch ${cid} ${a.mesh.peerId.toString()}`)
      await child.next(r => typeof r.verified === 'number' && r.verified >= 4)
    } finally {
      // the seeder may still be answering requests the child had pipelined: count only what is
      // served once their connection is gone
      const gone = waitFor(a.mesh, 'peer:disconnected', d => d.peer === child.peer)
      await child.kill()
      await gone
    }
    const served: string[] = []
    a.mesh.on('fetch:served', e => { if (e.cid !== cid) served.push(e.cid) })

    const { privateKey } = await loadOrCreateIdentity(home)
    const b = await startNode({ listen: TCP, home, key: privateKey, syncOnConnect: false })
    nodes.push(b)
    assert.equal(b.library.has(cid), false, 'the adapter is not in the library before its chunks are')
    assert.deepEqual(readdirSync(join(home, 'blobs', 'tmp')), [], 'temp files the kill left are removed on open')
    const present = chunks.filter(c => b.library.blobs.has(c)).length
    assert.ok(present >= 4 && present < chunks.length, `${present} of ${chunks.length} chunks present after the kill`)
    for (const c of chunks) if (b.library.blobs.has(c)) assert.equal(await b.library.blobs.verify(c), true, `stored chunk ${c} is intact`)

    await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
    const r = await b.mesh.fetch(cid, { providers: [a.mesh.peerId] })
    assert.equal(r.outcome, 'admitted')
    assert.equal(r.chunks?.skipped, present)
    assert.equal(served.length, chunks.length - present, 'only the missing chunks were fetched again')
    assert.equal(b.library.get(cid)?.status, 'trusted')
    assert.deepEqual(Buffer.concat(chunks.map(ch => b.library.blobs.get(ch))), Buffer.from(bytes))
  })
})
