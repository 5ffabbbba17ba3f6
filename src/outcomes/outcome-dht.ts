/**
 * Outcome records on a kad-dht: read every value the query meets and merge them (the kad-dht
 * selector alone would keep one), and write by get → merge → put, because a later put of an older
 * value overwrites a newer one on the peers it reaches.
 */
import { logger } from '@libp2p/logger'
import { decodeRecord, encodeRecord, fitRecord, mergeRecords, signEntry } from './record.ts'
import type { OutcomeRecord } from './record.ts'
import type { PrivateKey } from '@libp2p/interface'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
import type { CID } from 'multiformats/cid'

const log = logger('baobab:outcomes:dht')
const encoder = new TextEncoder()

/** The part of a kad-dht service this layer uses. */
export type OutcomeDhtService = Pick<KadDHT, 'get' | 'put'>

export interface OutcomeDhtInit {
  dht: OutcomeDhtService
  privateKey: PrivateKey
  /** Per-operation time limit when the caller gives no signal (default 20 s). */
  timeoutMs?: number
  now?: () => number
}

export interface RecordRead {
  /** Merge of every valid value seen (undefined when none). */
  record: OutcomeRecord | undefined
  /** Valid values seen. */
  values: number
  /** Values that failed validation, with the error's name (kad-dht's own discards count too). */
  rejected: Array<{ from: string, error: string }>
  /** What the query reached: peers asked, peers that did not answer, time limit hit. */
  reach: Reach
}

/** Peers one DHT operation asked, the ones it could not reach, and whether its time ran out. */
export interface Reach {
  asked: string[]
  unreachable: string[]
  timedOut: boolean
}

export interface RecordWrite {
  record: OutcomeRecord
  bytes: number
  /** Peers that acknowledged the put. */
  stored: number
  /** Peers that refused or failed. */
  failed: number
  /** Other authors' entries dropped to fit the record limits. */
  dropped: string[]
  /** Reach of the read and the write together. */
  reach: Reach
}

export interface DhtOptions {
  /** Aborting it aborts the operation with its reason. */
  signal?: AbortSignal
  /** When it fires the operation ends quietly with what it found so far (`reach.timedOut`). */
  deadline?: AbortSignal
  onProgress?: (event: QueryEvent) => void
}

/** Follows one query's events: who was asked, who failed (a bad record is not a failure to reach). */
function reachTracker (into?: Reach): { reach: Reach, see: (event: QueryEvent) => void } {
  const reach = into ?? { asked: [], unreachable: [], timedOut: false }
  const asked = new Set(reach.asked)
  const unreachable = new Set(reach.unreachable)
  return {
    reach,
    see: event => {
      if (event.name === 'SEND_QUERY' && !asked.has(event.to.toString())) {
        asked.add(event.to.toString())
        reach.asked.push(event.to.toString())
      } else if (event.name === 'QUERY_ERROR' && !/invalid record/i.test(event.error.message) && !unreachable.has(event.from.toString())) {
        unreachable.add(event.from.toString())
        reach.unreachable.push(event.from.toString())
      }
    }
  }
}

export class OutcomeDht {
  private readonly dht: OutcomeDhtService
  private readonly privateKey: PrivateKey
  private readonly timeoutMs: number
  private readonly now: () => number

  constructor (init: OutcomeDhtInit) {
    this.dht = init.dht
    this.privateKey = init.privateKey
    this.timeoutMs = init.timeoutMs ?? 20_000
    this.now = init.now ?? Date.now
  }

  private signal (options: DhtOptions): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs)
    return AbortSignal.any([timeout, ...[options.signal, options.deadline].filter(s => s != null)])
  }

  /** Reads and merges every valid value for `key`. */
  async get (key: string, options: DhtOptions = {}, into?: Reach): Promise<RecordRead> {
    const signal = this.signal(options)
    const tracker = reachTracker(into)
    const valid: OutcomeRecord[] = []
    const rejected: RecordRead['rejected'] = []
    const checked = new Map<string, boolean>()
    const consider = async (from: string, value: Uint8Array): Promise<void> => {
      const id = Buffer.from(value).toString('base64')
      let ok = checked.get(id)
      if (ok == null) {
        try {
          valid.push(await decodeRecord(key, value, { now: this.now() }))
          ok = true
        } catch (err) {
          log('rejected value for %s from %s: %s', key, from, (err as Error).message)
          rejected.push({ from, error: (err as Error).name })
          ok = false
        }
        checked.set(id, ok)
      }
    }
    try {
      for await (const event of this.dht.get(encoder.encode(key), { signal })) {
        options.onProgress?.(event)
        tracker.see(event)
        if (event.name === 'PEER_RESPONSE' && event.record != null) await consider(event.from.toString(), event.record.value)
        else if (event.name === 'VALUE') await consider(event.from.toString(), event.value)
        else if (event.name === 'QUERY_ERROR' && /invalid record/i.test(event.error.message)) rejected.push({ from: event.from.toString(), error: 'InvalidOutcomeRecordError' })
      }
    } catch (err) {
      // a get that finds nothing before the limit is an empty answer, not a failure
      if (options.signal?.aborted === true) throw options.signal.reason
      if (signal.aborted) tracker.reach.timedOut = true
      log('get %s ended: %s', key, (err as Error).message)
    }
    return { record: valid.length > 0 ? mergeRecords(valid) : undefined, values: valid.length, rejected, reach: tracker.reach }
  }

  /** Publishes this node's entry (`cids`) under `key`: get → merge → sign → put. */
  async put (key: string, cids: readonly CID[], options: DhtOptions = {}): Promise<RecordWrite> {
    const current = await this.get(key, options)
    const tracker = reachTracker(current.reach)
    const author = (await signEntry(key, this.privateKey, cids.slice(0, 1), 0)).author
    const previous = current.record?.entries.find(e => e.author === author)
    const updated = Math.max(this.now(), (previous?.updated ?? 0) + 1)
    const own = await signEntry(key, this.privateKey, cids, updated)
    const merged = mergeRecords([current.record ?? { v: 1, entries: [] }, { v: 1, entries: [own] }])
    const { record, dropped } = fitRecord(merged, author)
    const value = encodeRecord(record)
    let stored = 0
    let failed = 0
    const signal = this.signal(options)
    try {
      if (options.deadline?.aborted === true) throw new Error('deadline passed before the put')
      for await (const event of this.dht.put(encoder.encode(key), value, { signal })) {
        options.onProgress?.(event)
        tracker.see(event)
        if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') stored++
        else if (event.name === 'QUERY_ERROR') failed++
      }
    } catch (err) {
      if (options.signal?.aborted === true) throw options.signal.reason
      if (signal.aborted) tracker.reach.timedOut = true
      log('put %s ended: %s', key, (err as Error).message)
    }
    log('put %s: %d entries, %d bytes, stored on %d peers, %d failed', key, record.entries.length, value.length, stored, failed)
    return { record, bytes: value.length, stored, failed, dropped, reach: tracker.reach }
  }
}
