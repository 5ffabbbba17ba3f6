/**
 * The network side of publishing: puts this node's entries under their keys within a time limit,
 * remembers which keys reached at least one DHT peer, puts the others when peers appear, and puts
 * every key again before its records expire on peers (kad-dht forgets them after 36 h).
 */
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { mapLimit } from '../limits/index.ts'
import { DHT_KEY_CONCURRENCY } from './constants.ts'
import type { OutcomeProgress } from './outcome-query.ts'
import type { OutcomeDht, Reach, RecordRead } from './outcome-dht.ts'
import type { OutcomeIndex } from './outcome-index.ts'

const log = logger('baobab:outcomes:publisher')

/** What the network part of a command reached. */
export interface NetworkReport {
  /** Peers connected when it started (absent when the node cannot tell). */
  peers?: number
  /** Distinct peers the DHT operations asked. */
  asked: number
  /** Peers asked that did not answer (at most 20 listed). */
  unreachable: string[]
  /** The time limit ended it; what was found by then is used. */
  timedOut: boolean
  /** Why the network part was not tried. */
  skipped?: string
}

/** One report over several DHT operations. */
export function networkReport (reaches: readonly Reach[], peers: number | undefined): NetworkReport {
  const asked = new Set(reaches.flatMap(r => r.asked))
  const unreachable = [...new Set(reaches.flatMap(r => r.unreachable))]
  return { ...(peers != null ? { peers } : {}), asked: asked.size, unreachable: unreachable.slice(0, 20), timedOut: reaches.some(r => r.timedOut) }
}

export interface NetworkLink {
  /** Connected peers right now. */
  peers?: () => number
  /** Subscribes to peer connections; returns the unsubscribe function. */
  onPeer?: (listener: () => void) => () => void
}

export interface PutOptions {
  signal?: AbortSignal
  deadline?: AbortSignal
  onProgress?: (event: OutcomeProgress) => void
}

export interface PutOutcome { keys: number, stored: number, failed: number, pending: string[], reaches: Reach[] }

export interface DhtPublisherInit {
  index: OutcomeIndex
  author: string
  /** Age after which a key is put again (0 = only keys never put). */
  republishMs: number
  now: () => number
}

export class DhtPublisher {
  /** Dispatches `put` (detail: `{ keys, stored }`) after each background round that put something. */
  readonly events = new EventTarget()
  private readonly init: DhtPublisherInit
  private dht: OutcomeDht | undefined
  private link: NetworkLink = {}
  private running: Promise<number> | undefined
  private unsubscribe: (() => void) | undefined
  private soon: NodeJS.Timeout | undefined

  constructor (init: DhtPublisherInit) {
    this.init = init
  }

  get hasDht (): boolean { return this.dht != null }

  set (dht: OutcomeDht | undefined, link: NetworkLink = {}): void {
    this.dht = dht ?? this.dht
    this.link = { ...this.link, ...link }
  }

  /** Connected peers, when the node can tell. */
  peers (): number | undefined {
    return this.link.peers?.()
  }

  /** Why the network cannot be used now, or undefined. */
  unavailable (): string | undefined {
    if (this.dht == null) return 'this node has no DHT (the mesh is not running)'
    if (this.peers() === 0) return 'no peers connected'
    return undefined
  }

  /** Reads `key` (undefined without a DHT). */
  async get (key: string, options: PutOptions = {}): Promise<RecordRead | undefined> {
    return this.dht?.get(key, { signal: options.signal, deadline: options.deadline })
  }

  /** Puts this node's entries under `keys`; keys that reached a peer are noted, the rest stay due. */
  async put (keys: readonly string[], options: PutOptions = {}): Promise<PutOutcome> {
    const dht = this.dht
    const out: PutOutcome = { keys: keys.length, stored: 0, failed: 0, pending: [], reaches: [] }
    if (dht == null) return { ...out, pending: [...keys] }
    const writes = await mapLimit(keys, DHT_KEY_CONCURRENCY, async key => {
      const cids = this.init.index.cidsForKey(key, this.init.author).map(c => CID.parse(c))
      const w = await dht.put(key, cids, { signal: options.signal, deadline: options.deadline })
      options.onProgress?.({ type: 'outcomes:dht-put', key, stored: w.stored, failed: w.failed })
      if (w.stored > 0) this.init.index.markPut(key, this.init.author, this.init.now())
      return { key, w }
    })
    for (const { key, w } of writes) {
      out.stored += w.stored
      out.failed += w.failed
      out.reaches.push(w.reach)
      if (w.stored === 0) out.pending.push(key)
    }
    return out
  }

  /**
   * A command's network part: puts `keys` within `networkMs`, or says why it did not try. Keys that
   * reached no peer stay due for the background rounds of the running node.
   */
  async publish (
    keys: readonly string[], options: PutOptions & { local?: boolean, networkMs: number }
  ): Promise<{ network: NetworkReport, pending: number, warnings: string[], dht?: { keys: number, stored: number, failed: number } }> {
    const peers = this.peers()
    const skipped = options.local === true ? 'stored locally only (--local)' : this.unavailable()
    if (skipped != null) {
      const warnings = options.local === true ? [] : [`${skipped}: stored locally; the running node (baobab start) puts it on the DHT when peers appear`]
      return { network: { ...(peers != null ? { peers } : {}), asked: 0, unreachable: [], timedOut: false, skipped }, pending: keys.length, warnings }
    }
    const put = await this.put(keys, { signal: options.signal, deadline: AbortSignal.timeout(options.networkMs), onProgress: options.onProgress })
    const network = networkReport(put.reaches, peers)
    const warnings = put.pending.length > 0 ? [`${put.pending.length} of ${keys.length} keys reached no peer${network.timedOut ? ' before the time limit' : ''}: the running node puts them again later`] : []
    return { network, pending: put.pending.length, warnings, dht: { keys: put.keys, stored: put.stored, failed: put.failed } }
  }

  /** Puts the keys that are due: never put since they changed, or put longer than `republishMs` ago. */
  async putDue (options: PutOptions = {}): Promise<number> {
    if (this.unavailable() != null) return 0
    this.running ??= (async () => {
      try {
        const before = this.init.republishMs > 0 ? this.init.now() - this.init.republishMs : 0
        const due = this.init.index.keysDue(this.init.author, before)
        if (due.length === 0) return 0
        const r = await this.put(due, options)
        log('put %d due keys: %d acknowledgements, %d still pending', due.length, r.stored, r.pending.length)
        this.events.dispatchEvent(new CustomEvent('put', { detail: { keys: due.length - r.pending.length, stored: r.stored } }))
        return due.length - r.pending.length
      } finally {
        this.running = undefined
      }
    })()
    return this.running
  }

  /** Background rounds: soon after start, shortly after each peer connects, then every `everyMs`. */
  start (everyMs: number, firstMs: number): () => void {
    const run = (): void => { this.putDue().catch(err => { log.error('putting due keys failed: %e', err) }) }
    let at = Infinity
    const later = (ms: number): void => {
      if (this.soon != null && at <= Date.now() + ms) return
      if (this.soon != null) clearTimeout(this.soon)
      at = Date.now() + ms
      this.soon = setTimeout(() => { this.soon = undefined; run() }, ms)
      this.soon.unref()
    }
    later(firstMs)
    const timer = everyMs > 0 ? setInterval(run, everyMs) : undefined
    timer?.unref()
    // a new peer needs identify and a routing-table entry before it can take records
    this.unsubscribe = this.link.onPeer?.(() => { later(1000) })
    return () => {
      if (timer != null) clearInterval(timer)
      if (this.soon != null) clearTimeout(this.soon)
      this.soon = undefined
      this.unsubscribe?.()
      this.unsubscribe = undefined
    }
  }
}
