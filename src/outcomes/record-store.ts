/**
 * The datastore a node's kad-dht keeps its records in. kad-dht replaces a stored value with each
 * PUT it accepts; for outcome records that would let one author's put erase every other author's
 * entry on that replica. This store merges instead: an incoming outcome record (already validated
 * by kad-dht, every entry signed) is united with the one held, newest entry per author, trimmed to
 * the record limits, and entries older than a record's lifetime are dropped. Any other key is
 * stored as given. A publisher therefore needs no read before its write: it puts its own entry and
 * each replica keeps everyone's.
 */
import { Libp2pRecord } from '@libp2p/record'
import { MemoryDatastore } from 'datastore-core'
import { OUTCOME_NAMESPACE, RECORD_LIFETIME_MS } from './constants.ts'
import { encodeRecord, fitRecord, mergeRecords, parseRecord } from './record.ts'
import type { OutcomeRecord } from './record.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Key } from 'interface-datastore'

/** kad-dht's default datastore prefix for values (`/dht/record/<base32 key>`). */
const RECORD_PREFIX = '/dht/record/'
const decoder = new TextDecoder()

function outcomeKeyOf (record: Libp2pRecord): string | undefined {
  const key = decoder.decode(record.key)
  return key.startsWith(`/${OUTCOME_NAMESPACE}/`) ? key : undefined
}

export class OutcomeRecordStore extends MemoryDatastore {
  private readonly now: () => number

  constructor (init: { now?: () => number } = {}) {
    super()
    this.now = init.now ?? Date.now
  }

  override put (key: Key, value: Uint8Array, options?: AbortOptions): Key | Promise<Key> {
    return super.put(key, this.merged(key, value) ?? value, options)
  }

  /** What `key` holds now (MemoryDatastore answers synchronously, so no other put can interleave). */
  private held (key: Key): Uint8Array | undefined {
    if (super.has(key) !== true) return undefined
    const value = super.get(key)
    return value instanceof Uint8Array ? value : undefined
  }

  /** The stored bytes after merging `value` into what `key` holds, or undefined to store `value` as given. */
  private merged (key: Key, value: Uint8Array): Uint8Array | undefined {
    const name = key.toString()
    if (!name.startsWith(RECORD_PREFIX)) return undefined
    let incoming: Libp2pRecord
    try {
      incoming = Libp2pRecord.deserialize(value)
    } catch {
      return undefined
    }
    const recordKey = outcomeKeyOf(incoming)
    const held = this.held(key)
    if (recordKey == null || held == null) return undefined
    const now = this.now()
    let parts: [OutcomeRecord, OutcomeRecord]
    try {
      // both were validated (signatures included) when kad-dht accepted them
      parts = [parseRecord(recordKey, Libp2pRecord.deserialize(held).value, { now }), parseRecord(recordKey, incoming.value, { now })]
    } catch {
      // a held value that no longer parses (e.g. after a limit change) is replaced
      return undefined
    }
    const newest = mergeRecords(parts)
    const fresh = { v: 1 as const, entries: newest.entries.filter(e => e.updated >= now - RECORD_LIFETIME_MS) }
    if (fresh.entries.length === 0) return undefined
    const keep = parts[1].entries.find(e => fresh.entries.includes(e))?.author
    const { record } = fitRecord(fresh, keep)
    return new Libp2pRecord(incoming.key, encodeRecord(record), incoming.timeReceived).serialize()
  }
}
