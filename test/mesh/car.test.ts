/** Sneakernet: CAR export and import, verified block by block; damaged files store nothing. */
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { CHUNK_SIZE } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { exportCar, importCar } from '../../src/mesh/index.ts'
import { addAdapter, addOutcome, chunksOf, loraBytes, tempHome, testTrust } from './helpers.ts'
import type { TestNode } from './helpers.ts'
import type { Library } from '../../src/library/index.ts'

const homes: string[] = []
const libs: Library[] = []
after(() => {
  for (const l of libs) l.close()
  for (const h of homes) rmSync(h, { recursive: true, force: true })
})

/** A library-only node (CAR needs no network). */
async function libNode (): Promise<TestNode> {
  const home = tempHome()
  homes.push(home)
  const library = openLibrary({ home })
  libs.push(library)
  const key = await generateKeyPair('Ed25519')
  return { home, key, library, trust: testTrust(library, key), mesh: undefined as never, close: async () => {} }
}

function blobFiles (lib: Library): number {
  return readdirSync(lib.blobs.dir, { recursive: true, withFileTypes: true }).filter(d => d.isFile()).length
}

describe('CAR export and import', { timeout: 60_000 }, () => {
  it('moves an adapter and outcomes between libraries, verified and identical', async () => {
    const a = await libNode()
    const bytes = loraBytes(2 * CHUNK_SIZE + 999, 21)
    const adapter = await addAdapter(a, bytes, 'sneaker')
    for (let i = 0; i < 3; i++) await addOutcome(a, i)
    const file = join(a.home, 'out.car')
    const exported = await exportCar(a.library, file)
    assert.deepEqual({ artifacts: exported.artifacts, chunks: exported.chunks }, { artifacts: 4, chunks: 3 })
    const b = await libNode()
    const admission = b.trust.admission
    const r = await importCar(file, b.library, admission)
    assert.equal(r.admitted.length, 4)
    assert.ok(r.admitted.every(x => x.status === 'trusted' && x.inserted), JSON.stringify(r.admitted.map(x => [x.kind, x.status, x.reason])))
    const stored = b.library.get(adapter.cid.toString())
    assert.equal(stored?.status, 'trusted')
    assert.deepEqual(Buffer.concat(chunksOf(adapter).map(c => b.library.blobs.get(c))), Buffer.from(bytes))
    const again = await importCar(file, b.library, admission)
    assert.ok(again.admitted.every(x => !x.inserted))
    assert.equal(again.chunksPresent, 3)
  })

  it('exports only the kind asked for', async () => {
    const a = await libNode()
    await addAdapter(a, loraBytes(1000, 1), 'small')
    await addOutcome(a, 1)
    const file = join(a.home, 'outcomes.car')
    const r = await exportCar(a.library, file, { kind: 'outcome' })
    assert.deepEqual({ artifacts: r.artifacts, chunks: r.chunks }, { artifacts: 1, chunks: 0 })
  })

  it('a damaged chunk names the failing block and nothing is stored', async () => {
    const a = await libNode()
    const bytes = loraBytes(3 * CHUNK_SIZE, 8)
    const adapter = await addAdapter(a, bytes, 'damaged')
    await addOutcome(a, 9)
    const file = join(a.home, 'damaged.car')
    await exportCar(a.library, file)
    const car = readFileSync(file)
    const at = car.indexOf(Buffer.from(bytes.subarray(CHUNK_SIZE + 4096, CHUNK_SIZE + 4160)))
    assert.ok(at > 0)
    car[at + 10] = (car[at + 10] ?? 0) ^ 0x55
    writeFileSync(file, car)
    const b = await libNode()
    const admission = b.trust.admission
    await assert.rejects(importCar(file, b.library, admission), (err: Error & { block?: string }) => {
      assert.equal(err.name, 'InvalidCarError')
      assert.equal(err.block, chunksOf(adapter)[1])
      assert.match(err.message, /fails verification/)
      return true
    })
    assert.equal(b.library.list().length, 0)
    assert.equal(blobFiles(b.library), 0)
  })

  it('a truncated file or one that is not a CAR is refused', async () => {
    const a = await libNode()
    await addAdapter(a, loraBytes(CHUNK_SIZE + 10, 4), 'cut')
    const file = join(a.home, 'cut.car')
    await exportCar(a.library, file)
    const car = readFileSync(file)
    writeFileSync(file, car.subarray(0, car.length - 5000))
    const b = await libNode()
    const admission = b.trust.admission
    await assert.rejects(importCar(file, b.library, admission), { name: 'InvalidCarError' })
    writeFileSync(file, 'hello, not a car')
    await assert.rejects(importCar(file, b.library, admission), { name: 'InvalidCarError' })
    assert.equal(b.library.list().length, 0)
    assert.equal(blobFiles(b.library), 0)
  })
})
