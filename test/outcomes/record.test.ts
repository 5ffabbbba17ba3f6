import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { rawCid } from '../../src/artifacts/index.ts'
import { encodeRecord, exactKey, signEntry } from '../../src/outcomes/index.ts'
import { decodeRecord, fitRecord, mergeRecords, parseRecord, selectRecord } from '../../src/outcomes/record.ts'
import { validateOutcomeRecord } from '../../src/outcomes/dht-config.ts'
import type { OutcomeRecord } from '../../src/outcomes/index.ts'

const keyA = await generateKeyPair('Ed25519')
const keyB = await generateKeyPair('Ed25519')
const dhtKey = exactKey({ family: 'qwen2.5-0.5b', task: 'clinical note summarisation', tags: ['medical'] })
const otherKey = exactKey({ family: 'qwen2.5-0.5b', task: 'legal translation', tags: ['german'] })
const cid = (i: number): ReturnType<typeof rawCid> => rawCid(new TextEncoder().encode(`packet-${i}`))
const enc = new TextEncoder()

describe('outcome DHT records', () => {
  it('round-trips signed multi-author records and merges newest entry per author', async () => {
    const a1 = await signEntry(dhtKey, keyA, [cid(1)], 1000)
    const a2 = await signEntry(dhtKey, keyA, [cid(2), cid(1)], 2000)
    const b1 = await signEntry(dhtKey, keyB, [cid(3)], 1500)
    const older: OutcomeRecord = { v: 1, entries: [a1, b1] }
    const newer: OutcomeRecord = { v: 1, entries: [a2] }
    const bytes = encodeRecord(older)
    const back = await decodeRecord(dhtKey, bytes, { now: 5000 })
    assert.equal(back.entries.length, 2)
    const merged = mergeRecords([older, newer])
    const byAuthor = new Map(merged.entries.map(e => [e.author, e]))
    assert.equal(byAuthor.get(a1.author)!.updated, 2000)
    assert.deepEqual(byAuthor.get(a1.author)!.cids.map(String), [cid(2), cid(1)].map(String))
    assert.equal(byAuthor.get(b1.author)!.updated, 1500)
    // a merge of valid records is itself valid: entries carry their own signatures
    await decodeRecord(dhtKey, encodeRecord(merged), { now: 5000 })
    // the selector prefers the value with the newest entries for the most authors
    assert.equal(selectRecord(dhtKey, [encodeRecord(newer), encodeRecord(older), encodeRecord(merged)]), 2)
    assert.equal(selectRecord(dhtKey, [enc.encode('garbage'), encodeRecord(older)]), 1)
  })

  it('rejects bad signatures, replays under another key, and broken structure with named errors', async () => {
    const good = await signEntry(dhtKey, keyA, [cid(1)], 1000)
    const tampered = { ...good, cids: [cid(9)] }
    await assert.rejects(decodeRecord(dhtKey, encodeRecord({ v: 1, entries: [tampered] }), { now: 5000 }), { name: 'RecordSignatureError' })
    const flipped = { ...good, sig: Uint8Array.from(good.sig, (b, i) => i === 0 ? b ^ 1 : b) }
    await assert.rejects(decodeRecord(dhtKey, encodeRecord({ v: 1, entries: [flipped] }), { now: 5000 }), { name: 'RecordSignatureError' })
    const impostor = { ...(await signEntry(dhtKey, keyB, [cid(1)], 1000)), author: good.author }
    await assert.rejects(decodeRecord(dhtKey, encodeRecord({ v: 1, entries: [impostor] }), { now: 5000 }), { name: 'RecordSignatureError' })
    await assert.rejects(decodeRecord(otherKey, encodeRecord({ v: 1, entries: [good] }), { now: 5000 }), { name: 'RecordSignatureError' })

    const invalid = async (bytes: Uint8Array, key = dhtKey): Promise<void> => {
      await assert.rejects(decodeRecord(key, bytes, { now: 5000 }), { name: 'InvalidOutcomeRecordError' })
    }
    await invalid(enc.encode('not cbor'))
    await invalid(dagCbor.encode({ v: 2, entries: [good] }))
    await invalid(dagCbor.encode({ v: 1, entries: [] }))
    await invalid(dagCbor.encode({ v: 1, entries: [{ ...good, extra: 1 }] }))
    await invalid(dagCbor.encode({ v: 1, entries: [{ ...good, cids: ['bafy'] }] }))
    await invalid(encodeRecord({ v: 1, entries: [good] }), '/baobab-outcome/nothex')
    await invalid(encodeRecord({ v: 1, entries: [await signEntry(dhtKey, keyA, [cid(1)], 5000 + 11 * 60_000)] }))
    // duplicate authors
    const dupe = dagCbor.encode({ v: 1, entries: [good, good] })
    await invalid(dupe)
    // over the CID limit: 5 authors × 32 CIDs = 160 > 128
    const many = await Promise.all(Array.from({ length: 5 }, async (_, a) => signEntry(dhtKey, await generateKeyPair('Ed25519'), Array.from({ length: 32 }, (_, i) => cid(a * 100 + i)), 1000)))
    await invalid(encodeRecord({ v: 1, entries: many }))
    // over 8 KiB is refused before decoding
    await invalid(new Uint8Array(8 * 1024 + 1))
    // the kad-dht validator throws the same errors
    await assert.rejects(async () => validateOutcomeRecord(enc.encode(dhtKey), encodeRecord({ v: 1, entries: [tampered] })), { name: 'RecordSignatureError' })
    await validateOutcomeRecord(enc.encode(dhtKey), encodeRecord({ v: 1, entries: [good] }))
  })

  it('fits merged records to the limits by dropping the stalest other authors, never our own', async () => {
    const keys = await Promise.all(Array.from({ length: 6 }, async () => generateKeyPair('Ed25519')))
    const entries = await Promise.all(keys.map(async (k, a) => signEntry(dhtKey, k, Array.from({ length: 30 }, (_, i) => cid(a * 100 + i)), 1000 + a)))
    const own = entries[0]!.author
    const { record, dropped } = fitRecord({ v: 1, entries }, own)
    assert.ok(record.entries.reduce((n, e) => n + e.cids.length, 0) <= 128)
    assert.ok(record.entries.some(e => e.author === own), 'our entry stays although it is the stalest')
    assert.deepEqual(dropped, [entries[1]!.author, entries[2]!.author])
    parseRecord(dhtKey, encodeRecord(record), { now: 5000 })
  })
})
