/**
 * Outcome records on a kad-dht. Replicas merge what they are sent (OutcomeRecordStore), so a write
 * is one put of this node's own signed entry, and a read merges the values it meets and stops once
 * they agree: `quorum` values in a row that add nothing to the merge (a full Kademlia query asks
 * k replicas on each of its paths and then corrects stale ones one by one, which on a LAN costs seconds).
 */
import { logger } from '@libp2p/logger'
import { DHT_PUT_REPLICAS, DHT_READ_QUORUM } from './constants.ts'
import { decodeRecord, encodeRecord, mergeRecords, signEntry } from './record.ts'
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
  /** A read ends after this many values in a row added nothing new (default DHT_READ_QUORUM; 0 = read the whole query). */
  quorum?: number
  /** A write returns once this many peers acknowledged it (default DHT_PUT_REPLICAS; 0 = wait for every closest peer). */
  replicas?: number
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
  /** Reach of the read and the write together. */
  reach: Reach
  /** Peers that acknowledged the put once its background part (the remaining closest peers) ended. */
  settled: Promise<number>
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
  private readonly quorum: number
  private readonly replicas: number
  /** Last `updated` this node signed per key: a later entry is always newer, even within one millisecond. */
  private readonly signed = new Map<string, number>()

  constructor (init: OutcomeDhtInit) {
    this.dht = init.dht
    this.privateKey = init.privateKey
    this.timeoutMs = init.timeoutMs ?? 20_000
    this.now = init.now ?? Date.now
    this.quorum = init.quorum ?? DHT_READ_QUORUM
    this.replicas = init.replicas ?? DHT_PUT_REPLICAS
  }

  private signal (options: DhtOptions): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs)
    return AbortSignal.any([timeout, ...[options.signal, options.deadline].filter(s => s != null)])
  }

  /** Reads and merges every valid value for `key`. */
  async get (key: string, options: DhtOptions = {}, into?: Reach): Promise<RecordRead> {
    const limit = this.signal(options)
    // replicas agreed: abort the query before leaving it, or leaving waits for its requests in flight
    const agreedStop = new AbortController()
    const signal = AbortSignal.any([limit, agreedStop.signal])
    const tracker = reachTracker(into)
    const valid: OutcomeRecord[] = []
    const rejected: RecordRead['rejected'] = []
    const checked = new Map<string, boolean>()
    /** Newest `updated` seen per author, and how many valid values in a row added nothing to it. */
    const newest = new Map<string, number>()
    let unchanged = 0
    const consider = async (from: string, value: Uint8Array): Promise<void> => {
      const id = Buffer.from(value).toString('base64')
      let ok = checked.get(id)
      if (ok == null) {
        try {
          const record = await decodeRecord(key, value, { now: this.now() })
          valid.push(record)
          let grew = false
          for (const e of record.entries) {
            if ((newest.get(e.author) ?? -1) < e.updated) { newest.set(e.author, e.updated); grew = true }
          }
          unchanged = grew ? 0 : unchanged + 1
          ok = true
        } catch (err) {
          log('rejected value for %s from %s: %s', key, from, (err as Error).message)
          rejected.push({ from, error: (err as Error).name })
          ok = false
        }
        checked.set(id, ok)
      } else if (ok) {
        unchanged++
      }
    }
    const agreed = (): boolean => this.quorum > 0 && newest.size > 0 && unchanged >= this.quorum
    try {
      for await (const event of this.dht.get(encoder.encode(key), { signal })) {
        options.onProgress?.(event)
        tracker.see(event)
        if (event.name === 'PEER_RESPONSE' && event.record != null) await consider(event.from.toString(), event.record.value)
        else if (event.name === 'VALUE') await consider(event.from.toString(), event.value)
        else if (event.name === 'QUERY_ERROR' && /invalid record/i.test(event.error.message)) rejected.push({ from: event.from.toString(), error: 'InvalidOutcomeRecordError' })
        // stopping here also skips kad-dht's one-by-one corrections of stale replicas
        if (agreed()) {
          agreedStop.abort()
          break
        }
      }
    } catch (err) {
      // a get that finds nothing before the limit is an empty answer, not a failure
      if (options.signal?.aborted === true) throw options.signal.reason
      if (limit.aborted) tracker.reach.timedOut = true
      log('get %s ended: %s', key, (err as Error).message)
    }
    return { record: valid.length > 0 ? mergeRecords(valid) : undefined, values: valid.length, rejected, reach: tracker.reach }
  }

  /**
   * Publishes this node's entry (`cids`) under `key`: one signed entry, put to the closest peers,
   * which merge it into what they hold. Returns once `replicas` peers acknowledged it (or the
   * lookup ended with fewer); the puts to the other closest peers finish in the background
   * (`settled`), within the operation's time limit.
   */
  async put (key: string, cids: readonly CID[], options: DhtOptions = {}): Promise<RecordWrite> {
    const tracker = reachTracker()
    const updated = Math.max(this.now(), (this.signed.get(key) ?? 0) + 1)
    this.signed.set(key, updated)
    const record: OutcomeRecord = { v: 1, entries: [await signEntry(key, this.privateKey, cids, updated)] }
    const value = encodeRecord(record)
    let stored = 0
    let failed = 0
    const signal = this.signal(options)
    let enough = (): void => {}
    const reached = new Promise<void>(resolve => { enough = resolve })
    const run = (async (): Promise<void> => {
      try {
        if (options.deadline?.aborted === true) throw new Error('deadline passed before the put')
        for await (const event of this.dht.put(encoder.encode(key), value, { signal })) {
          options.onProgress?.(event)
          tracker.see(event)
          if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') {
            stored++
            if (this.replicas > 0 && stored >= this.replicas) enough()
          } else if (event.name === 'QUERY_ERROR') {
            failed++
            log('put %s: %p failed: %s', key, event.from, event.error.message)
          }
        }
      } catch (err) {
        if (options.signal?.aborted === true) throw options.signal.reason
        if (signal.aborted) tracker.reach.timedOut = true
        log('put %s ended: %s', key, (err as Error).message)
      }
      log('put %s: %d bytes, stored on %d peers, %d failed', key, value.length, stored, failed)
    })()
    await Promise.race([run, reached])
    const { asked, unreachable, timedOut } = tracker.reach
    const settled = run.then(() => stored, () => stored)
    return { record, bytes: value.length, stored, failed, reach: { asked: [...asked], unreachable: [...unreachable], timedOut }, settled }
  }
}
