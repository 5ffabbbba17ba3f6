import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Libp2pRecord } from '@libp2p/record'
import { Key } from 'interface-datastore'
import { rawCid } from '../../src/artifacts/index.ts'
import { MAX_RECORD_BYTES, MAX_RECORD_ENTRIES, RECORD_LIFETIME_MS } from '../../src/outcomes/constants.ts'
import { OutcomeRecordStore, encodeRecord, exactKey, signEntry } from '../../src/outcomes/index.ts'
import { parseRecord } from '../../src/outcomes/record.ts'
import type { OutcomeRecord } from '../../src/outcomes/index.ts'
import type { PrivateKey } from '@libp2p/interface'

const enc = new TextEncoder()
const dhtKey = exactKey({ family: 'qwen2.5-0.5b', task: 'clinical note summarisation', tags: ['medical'] })
const cid = (i: number): ReturnType<typeof rawCid> => rawCid(enc.encode(`packet-${i}`))
const NOW = 1_800_000_000_000

/** The datastore key kad-dht stores a value under (`/dht/record/<base32 key>`), and the stored bytes. */
function dsKey (key: string): Key {
  return new Key(`/dht/record/${Buffer.from(key).toString('hex')}`, false)
}
function stored (record: OutcomeRecord, key = dhtKey): Uint8Array {
  return new Libp2pRecord(enc.encode(key), encodeRecord(record), new Date(NOW)).serialize()
}
async function entry (author: PrivateKey, cids: number[], updated: number): Promise<OutcomeRecord> {
  return { v: 1, entries: [await signEntry(dhtKey, author, cids.map(cid), updated)] }
}
async function held (store: OutcomeRecordStore, key = dhtKey): Promise<OutcomeRecord> {
  return parseRecord(key, Libp2pRecord.deserialize(await store.get(dsKey(key))).value, { now: NOW })
}

describe('OutcomeRecordStore: replicas merge outcome records', () => {
  it('keeps every author\'s entry, the newest per author, whatever order the puts arrive in', async () => {
    const [a, b] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
    const store = new OutcomeRecordStore({ now: () => NOW })
    await store.put(dsKey(dhtKey), stored(await entry(a, [1, 2], NOW - 2000)))
    await store.put(dsKey(dhtKey), stored(await entry(b, [3], NOW - 1500)))
    // a late copy of A's older entry does not replace its newer one
    await store.put(dsKey(dhtKey), stored(await entry(a, [1], NOW - 5000)))
    const r = await held(store)
    assert.equal(r.entries.length, 2)
    const byAuthor = new Map(r.entries.map(e => [e.author, e]))
    assert.deepEqual(byAuthor.get(r.entries.find(e => e.cids.length === 2)!.author)!.cids.map(String), [cid(1), cid(2)].map(String))
    assert.equal(Math.max(...r.entries.map(e => e.updated)), NOW - 1500)
  })

  it('drops entries older than a record\'s lifetime and trims to the record limits, keeping the newcomer', async () => {
    const store = new OutcomeRecordStore({ now: () => NOW })
    const old = await generateKeyPair('Ed25519')
    await store.put(dsKey(dhtKey), stored(await entry(old, [9], NOW - RECORD_LIFETIME_MS - 1)))
    const authors = await Promise.all(Array.from({ length: MAX_RECORD_ENTRIES + 2 }, async () => generateKeyPair('Ed25519')))
    for (const [i, k] of authors.entries()) await store.put(dsKey(dhtKey), stored(await entry(k, [i], NOW - 10_000 + i)))
    const r = await held(store)
    assert.ok(r.entries.length < authors.length && r.entries.length <= MAX_RECORD_ENTRIES, 'trimmed to the limits')
    assert.ok(encodeRecord(r).length <= MAX_RECORD_BYTES)
    const last = (await entry(authors.at(-1)!, [0], 0)).entries[0]!.author
    assert.ok(r.entries.some(e => e.author === last), 'the latest author is kept')
    assert.ok(!r.entries.some(e => e.cids.some(c => c.equals(cid(9)))), 'the expired entry is gone')
    assert.ok(!r.entries.some(e => e.updated === NOW - 10_000), 'the stalest entries were dropped first')
  })

  it('stores any other key or value exactly as given', async () => {
    const store = new OutcomeRecordStore({ now: () => NOW })
    const other = new Key('/peers/abc')
    await store.put(other, enc.encode('x'))
    await store.put(other, enc.encode('y'))
    assert.deepEqual(await store.get(other), enc.encode('y'))
    const ipns = new Libp2pRecord(enc.encode('/ipns/k51'), enc.encode('v1'), new Date(NOW)).serialize()
    await store.put(dsKey('/ipns/k51'), ipns)
    const next = new Libp2pRecord(enc.encode('/ipns/k51'), enc.encode('v2'), new Date(NOW)).serialize()
    await store.put(dsKey('/ipns/k51'), next)
    assert.deepEqual(await store.get(dsKey('/ipns/k51')), next)
  })
})
