import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createArtifact, decodeArtifact, parseCid } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { sampleBodies } from '../helpers/sample-artifacts.ts'

const key = await generateKeyPair('Ed25519')
const bodies = sampleBodies()
const dirs: string[] = []
function tempHome (): string {
  const d = mkdtempSync(join(tmpdir(), 'baobab-test-'))
  dirs.push(d)
  return d
}
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

describe('library', () => {
  it('stores, lists, counts and updates artifacts; put is idempotent', async () => {
    const lib = openLibrary({ home: tempHome() })
    const chunk = lib.blobs.put(new Uint8Array([1, 2, 3]))
    const adapter = await createArtifact('adapter', { ...bodies.adapter, chunks: [parseCid(chunk)] }, key)
    const outcome = await createArtifact('outcome', bodies.outcome, key)
    const exp = await createArtifact('experience', bodies.experience, key, { created: 5 })
    assert.deepEqual(lib.put(adapter), { inserted: true, cid: adapter.cid.toString() })
    assert.deepEqual(lib.put(adapter), { inserted: false, cid: adapter.cid.toString() })
    lib.put(outcome, { status: 'quarantined', sourcePeer: 'peerX' })
    lib.put(exp)
    assert.equal(lib.counts().adapter, 1)
    assert.equal(lib.list({ kind: 'adapter' })[0]!.domain, 'agronomy')
    assert.equal(lib.list({ status: 'quarantined' })[0]!.sourcePeer, 'peerX')
    assert.equal(lib.list({ domain: 'veterinary' }).length, 1)
    assert.equal(lib.list({ author: adapter.envelope.author }).length, 3)
    // experiences stay local until published; quarantined artifacts are not offered
    assert.deepEqual(lib.syncKeys().map(k => k.cid), [adapter.cid.toString()])
    lib.setStatus(outcome.cid.toString(), 'trusted', 'screens passed')
    lib.setShareable(exp.cid.toString(), true)
    const keys = lib.syncKeys()
    assert.equal(keys.length, 3)
    assert.deepEqual(keys, [...keys].sort((a, b) => a.created - b.created || (a.cid < b.cid ? -1 : 1)))
    assert.equal(lib.get(outcome.cid.toString())!.reason, 'screens passed')
    const again = await decodeArtifact(lib.get(adapter.cid.toString())!.bytes, { expectedCid: adapter.cid })
    assert.equal(again.envelope.kind, 'adapter')
    lib.remove(adapter.cid.toString())
    assert.equal(lib.blobs.has(chunk), false)
    assert.throws(() => { lib.remove(adapter.cid.toString()) }, { name: 'ArtifactNotFoundError' })
    assert.throws(() => lib.list({ status: 'weird' as never }), { name: 'InvalidQueryError' })
    lib.close()
  })

  it('refuses an adapter whose chunks are missing, storing nothing from the batch', async () => {
    const lib = openLibrary({ home: tempHome() })
    const missing = parseCid('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')
    const adapter = await createArtifact('adapter', { ...bodies.adapter, chunks: [missing] }, key)
    const vote = await createArtifact('vote', bodies.vote, key)
    assert.throws(() => lib.putMany([{ artifact: vote }, { artifact: adapter }]), { name: 'MissingBlobError' })
    assert.equal(lib.has(vote.cid.toString()), false)
    lib.close()
  })

  it('blobs: verified puts reject wrong bytes; files round-trip through chunks', async () => {
    const home = tempHome()
    const lib = openLibrary({ home })
    const cid = lib.blobs.put(new Uint8Array([9, 9]))
    assert.throws(() => { lib.blobs.putVerified(cid, new Uint8Array([9, 8])) }, { name: 'ChunkMismatchError' })
    assert.throws(() => lib.blobs.get('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'), { name: 'BlobNotFoundError' })
    const src = join(home, 'big.bin')
    const data = Buffer.alloc(2.5 * 1024 * 1024)
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff
    writeFileSync(src, data)
    const seen: number[] = []
    const { chunks, bytes } = await lib.putBlobFile(src, { onProgress: e => seen.push(e.done) })
    assert.equal(chunks.length, 3)
    assert.equal(bytes, data.length)
    assert.deepEqual(seen, [1048576, 2097152, data.length])
    lib.writeBlobFile(chunks, join(home, 'back.bin'))
    assert.ok(execFileSync('cmp', [src, join(home, 'back.bin')]).length === 0)
    lib.close()
  })

  it('blobs: a transfer writes without fsync, flushes once, and a damaged chunk fails verify', async () => {
    const lib = openLibrary({ home: tempHome() })
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff)
    const cid = lib.blobs.put(bytes)
    lib.blobs.remove(cid)
    await assert.rejects(lib.blobs.putVerifiedAsync(cid, bytes.subarray(1), { durable: false }), { name: 'ChunkMismatchError' })
    assert.equal(lib.blobs.has(cid), false, 'nothing unverified is stored')
    await lib.blobs.putVerifiedAsync(cid, bytes, { durable: false })
    await lib.blobs.flush([cid])
    assert.deepEqual(await lib.blobs.read(cid), Buffer.from(bytes))
    assert.equal(await lib.blobs.verify(cid), true)
    // what a power loss can leave of a chunk written without fsync: a short file
    writeFileSync(lib.blobs.path(cid), bytes.subarray(0, 4096))
    assert.equal(await lib.blobs.verify(cid), false)
    assert.equal(lib.blobs.has(cid), false, 'the damaged chunk is removed, so a resume fetches it again')
    assert.equal(await lib.blobs.read(cid), undefined)
    // a transfer hands its buffer to the store's worker thread: no copy, the caller's view is emptied
    const moved = new Uint8Array(bytes)
    const back = await lib.blobs.putVerifiedAsync(cid, moved, { durable: false, transfer: true })
    assert.equal(moved.length, 0)
    assert.deepEqual(lib.blobs.get(cid), new Uint8Array(bytes))
    // the worker hands the buffer back once the chunk is written, for the next chunk to reuse
    assert.equal(back?.length, bytes.length)
    // a server reads chunk after chunk into one buffer: a view of it, exactly the chunk's bytes
    const into = new Uint8Array(bytes.length + 100).fill(7)
    const view = await lib.blobs.read(cid, into)
    assert.equal(view?.buffer, into.buffer)
    assert.deepEqual(new Uint8Array(view ?? []), new Uint8Array(bytes))
    assert.deepEqual(new Uint8Array((await lib.blobs.read(cid, new Uint8Array(10))) ?? []), new Uint8Array(bytes), 'a buffer too small: a new one')
    assert.equal(await lib.blobs.read('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', into), undefined)
    lib.close()
  })

  it('a library from a newer schema is refused without changes', () => {
    const home = tempHome()
    openLibrary({ home }).close()
    const db = new DatabaseSync(join(home, 'library.db'))
    db.prepare('INSERT INTO schema_version (version) VALUES (99)').run()
    db.close()
    assert.throws(() => openLibrary({ home }), { name: 'SchemaTooNewError' })
    const check = new DatabaseSync(join(home, 'library.db'))
    assert.equal((check.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number }).v, 99)
    check.close()
  })

  it('a corrupt database file is reported by name', () => {
    const home = tempHome()
    writeFileSync(join(home, 'library.db'), Buffer.alloc(8192, 0x42))
    assert.throws(() => openLibrary({ home }), { name: 'CorruptLibraryError' })
  })

  it('a full disk gives StorageFullError and leaves the store unchanged', async (t) => {
    const home = tempHome()
    const mnt = join(home, 'small')
    try {
      execFileSync('mkdir', ['-p', mnt])
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'ignore' })
    } catch {
      t.skip('cannot mount a small tmpfs here (needs root and mount permission)')
      return
    }
    try {
      const lib = openLibrary({ home: mnt })
      const ok = lib.blobs.put(new Uint8Array(100_000).fill(1))
      assert.throws(() => lib.blobs.put(new Uint8Array(4 * 1024 * 1024).fill(2)), { name: 'StorageFullError' })
      assert.equal(lib.blobs.has(ok), true)
      assert.deepEqual(readdirSync(join(mnt, 'blobs', 'tmp')), [])
      lib.close()
    } finally {
      execFileSync('umount', ['-l', mnt])
    }
  })

  it('SIGKILL in the middle of writes leaves a consistent library', async () => {
    for (let round = 0; round < 3; round++) {
      const home = tempHome()
      const child = spawn(process.execPath, [new URL('../helpers/crash-writer.ts', import.meta.url).pathname, home], { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>((resolve) => {
        let lines = 0
        child.stdout.on('data', (d: Buffer) => {
          lines += d.toString().split('\n').length - 1
          if (lines >= 2 + round * 3) { child.kill('SIGKILL'); resolve() }
        })
      })
      await new Promise(resolve => child.on('exit', resolve))
      const lib = openLibrary({ home })
      assert.equal((lib.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok')
      const all = lib.list()
      assert.ok(all.length >= 2 * 21, `expected the committed batches, found ${all.length}`)
      assert.equal(all.length % 21, 0, 'a batch was half-written')
      for (const a of all) {
        await decodeArtifact(a.bytes, { expectedCid: a.cid })
        if (a.kind === 'adapter') for (const c of (a.envelope.body as { chunks: unknown[] }).chunks) lib.blobs.get(String(c))
      }
      assert.deepEqual(readdirSync(join(home, 'blobs', 'tmp')), [])
      lib.close()
    }
  })
})
