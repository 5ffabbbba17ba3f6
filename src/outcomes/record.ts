/**
 * DHT records for outcome fingerprints. One key holds one value, yet many authors publish under
 * the same fingerprint, so the value is a set of per-author entries, each signed by its author:
 *
 *   value  = DAG-CBOR { v: 1, entries: [entry…] }            (entries sorted by author, unique)
 *   entry  = { author: <peer id>, updated: <unix ms>, cids: [CID…], sig: <Ed25519 64 B> }
 *   signed = DAG-CBOR { v: 1, key: "/baobab-outcome/<hex>", author, updated, cids }
 *
 * Anyone can merge two valid values (union of entries, newest entry per author) and the result is
 * still valid, because signatures cover entries, not the whole value; the key inside the signed
 * bytes stops an entry from being replayed under another fingerprint.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { MAX_CLOCK_SKEW_MS, MAX_ENTRY_CIDS, MAX_RECORD_BYTES, MAX_RECORD_CIDS, MAX_RECORD_ENTRIES, RECORD_VERSION } from './constants.ts'
import { InvalidOutcomeRecordError, RecordSignatureError } from './errors.ts'
import { isOutcomeKey } from './fingerprint.ts'
import type { PrivateKey } from '@libp2p/interface'

export interface RecordEntry {
  author: string
  updated: number
  cids: CID[]
  sig: Uint8Array
}

export interface OutcomeRecord {
  v: 1
  entries: RecordEntry[]
}

function signedBytes (key: string, author: string, updated: number, cids: CID[]): Uint8Array {
  return dagCbor.encode({ v: RECORD_VERSION, key, author, updated, cids })
}

/** Signs this node's entry for `key` (CIDs de-duplicated, at most MAX_ENTRY_CIDS kept in order). */
export async function signEntry (key: string, privateKey: PrivateKey, cids: readonly CID[], updated: number): Promise<RecordEntry> {
  const seen = new Set<string>()
  const list: CID[] = []
  for (const c of cids) {
    const s = c.toString()
    if (!seen.has(s)) { seen.add(s); list.push(c) }
  }
  const kept = list.slice(0, MAX_ENTRY_CIDS)
  const author = peerIdFromPrivateKey(privateKey).toString()
  const sig = await privateKey.sign(signedBytes(key, author, updated, kept))
  return { author, updated, cids: kept, sig }
}

export function encodeRecord (record: OutcomeRecord): Uint8Array {
  const entries = [...record.entries].sort((a, b) => a.author < b.author ? -1 : a.author > b.author ? 1 : 0)
  return dagCbor.encode({ v: RECORD_VERSION, entries: entries.map(e => ({ author: e.author, updated: e.updated, cids: e.cids, sig: e.sig })) })
}

function fail (key: string, reason: string, cause?: unknown): never {
  throw new InvalidOutcomeRecordError(key, reason, cause !== undefined ? { cause } : undefined)
}

function exactKeys (value: Record<string, unknown>, keys: string[], key: string, where: string): void {
  const got = Object.keys(value).sort()
  if (got.length !== keys.length || got.some((k, i) => k !== [...keys].sort()[i])) fail(key, `${where} must have exactly the fields ${keys.join(', ')}`)
}

/** Structure checks only (no signatures): size, encoding, fields, counts, order, clock. */
export function parseRecord (key: string, bytes: Uint8Array, options: { now?: number } = {}): OutcomeRecord {
  if (!isOutcomeKey(key)) fail(key, 'key is not /baobab-outcome/<32 hex>')
  if (bytes.length > MAX_RECORD_BYTES) fail(key, `value is ${bytes.length} bytes; the limit is ${MAX_RECORD_BYTES}`)
  let value: unknown
  try {
    value = dagCbor.decode(bytes)
  } catch (err) {
    fail(key, 'value is not DAG-CBOR', err)
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) fail(key, 'value is not a map')
  const rec = value as Record<string, unknown>
  exactKeys(rec, ['v', 'entries'], key, 'record')
  if (rec.v !== RECORD_VERSION) fail(key, `unsupported record version ${JSON.stringify(rec.v)}`)
  if (!Array.isArray(rec.entries)) fail(key, 'entries must be a list')
  if (rec.entries.length === 0) fail(key, 'record has no entries')
  if (rec.entries.length > MAX_RECORD_ENTRIES) fail(key, `record has ${rec.entries.length} entries; the limit is ${MAX_RECORD_ENTRIES}`)
  const now = options.now ?? Date.now()
  let total = 0
  let prev = ''
  const entries: RecordEntry[] = rec.entries.map((raw: unknown, i: number) => {
    if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) fail(key, `entry ${i} is not a map`)
    const e = raw as Record<string, unknown>
    exactKeys(e, ['author', 'updated', 'cids', 'sig'], key, `entry ${i}`)
    if (typeof e.author !== 'string' || e.author.length === 0 || e.author.length > 128) fail(key, `entry ${i} author is not a peer id`)
    if (e.author <= prev) fail(key, 'entries must be sorted by author with no duplicates')
    prev = e.author
    if (typeof e.updated !== 'number' || !Number.isSafeInteger(e.updated) || e.updated < 0) fail(key, `entry ${i} updated is not a timestamp`)
    if (e.updated > now + MAX_CLOCK_SKEW_MS) fail(key, `entry ${i} is dated ${e.updated - now} ms in the future`)
    if (!(e.sig instanceof Uint8Array) || e.sig.length !== 64) fail(key, `entry ${i} sig must be 64 bytes`)
    if (!Array.isArray(e.cids) || e.cids.length === 0 || e.cids.length > MAX_ENTRY_CIDS) fail(key, `entry ${i} must list 1–${MAX_ENTRY_CIDS} CIDs`)
    const seen = new Set<string>()
    const cids = e.cids.map((c: unknown) => {
      const cid = CID.asCID(c)
      if (cid == null) fail(key, `entry ${i} lists something that is not a CID`)
      if (seen.has(cid.toString())) fail(key, `entry ${i} lists ${cid.toString()} twice`)
      seen.add(cid.toString())
      return cid
    })
    total += cids.length
    return { author: e.author, updated: e.updated, cids, sig: e.sig }
  })
  if (total > MAX_RECORD_CIDS) fail(key, `record lists ${total} CIDs; the limit is ${MAX_RECORD_CIDS}`)
  const record: OutcomeRecord = { v: 1, entries }
  const again = encodeRecord(record)
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) fail(key, 'value is not canonical DAG-CBOR')
  return record
}

/** Verifies one entry's signature; throws RecordSignatureError. */
export async function verifyEntry (key: string, entry: RecordEntry): Promise<void> {
  let ok: boolean
  try {
    const peerId = peerIdFromString(entry.author)
    if (peerId.type !== 'Ed25519' || peerId.publicKey == null) throw new Error('author is not an Ed25519 peer id')
    ok = await peerId.publicKey.verify(signedBytes(key, entry.author, entry.updated, entry.cids), entry.sig)
  } catch (err) {
    throw new RecordSignatureError(key, entry.author, { cause: err })
  }
  if (!ok) throw new RecordSignatureError(key, entry.author)
}

/** Full check: structure and every entry's signature. */
export async function decodeRecord (key: string, bytes: Uint8Array, options: { now?: number } = {}): Promise<OutcomeRecord> {
  const record = parseRecord(key, bytes, options)
  for (const e of record.entries) await verifyEntry(key, e)
  return record
}

function newer (a: RecordEntry, b: RecordEntry): boolean {
  if (a.updated !== b.updated) return a.updated > b.updated
  if (a.cids.length !== b.cids.length) return a.cids.length > b.cids.length
  return Buffer.compare(Buffer.from(a.sig), Buffer.from(b.sig)) > 0
}

/** Union of entries, newest entry per author. */
export function mergeRecords (records: readonly OutcomeRecord[]): OutcomeRecord {
  const best = new Map<string, RecordEntry>()
  for (const r of records) {
    for (const e of r.entries) {
      const cur = best.get(e.author)
      if (cur == null || newer(e, cur)) best.set(e.author, e)
    }
  }
  return { v: 1, entries: [...best.values()] }
}

/**
 * Trims a merged record to the limits by dropping the stalest entries of other authors first;
 * `keep` (this node's author) is dropped last. Returns the record and the authors dropped.
 */
export function fitRecord (record: OutcomeRecord, keep?: string): { record: OutcomeRecord, dropped: string[] } {
  const entries = [...record.entries].sort((a, b) => (a.author === keep ? 1 : 0) - (b.author === keep ? 1 : 0) || a.updated - b.updated)
  const dropped: string[] = []
  const fits = (list: RecordEntry[]): boolean =>
    list.length <= MAX_RECORD_ENTRIES &&
    list.reduce((n, e) => n + e.cids.length, 0) <= MAX_RECORD_CIDS &&
    encodeRecord({ v: 1, entries: list }).length <= MAX_RECORD_BYTES
  while (entries.length > 1 && !fits(entries)) dropped.push(entries.shift()!.author)
  return { record: { v: 1, entries }, dropped }
}

/**
 * kad-dht selector: the best value is the one holding the newest entry for the most authors
 * (then the most CIDs). Values that do not parse score lowest. Callers that can should merge all
 * values instead (OutcomeDht does); this only decides which value kad-dht keeps and corrects to.
 */
export function selectRecord (key: string, values: Uint8Array[]): number {
  const parsed = values.map(v => { try { return parseRecord(key, v) } catch { return undefined } })
  const newest = new Map<string, number>()
  for (const r of parsed) for (const e of r?.entries ?? []) newest.set(e.author, Math.max(newest.get(e.author) ?? -1, e.updated))
  let best = 0
  let bestScore = [-1, -1]
  parsed.forEach((r, i) => {
    if (r == null) return
    const fresh = r.entries.filter(e => e.updated === newest.get(e.author)).length
    const cids = r.entries.reduce((n, e) => n + e.cids.length, 0)
    if (fresh > bestScore[0]! || (fresh === bestScore[0] && cids > bestScore[1]!)) {
      best = i
      bestScore = [fresh, cids]
    }
  })
  return best
}
