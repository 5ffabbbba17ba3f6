/**
 * OutcomeService: builds, stores and publishes this node's outcome packets and reproductions,
 * answers queries and synthesises recommendations. The DHT and the packet fetcher are optional, so
 * a single node with no network still queries and recommends from its own library.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { createArtifact, decodeArtifact } from '../artifacts/index.ts'
import { DEFAULT_REPUBLISH_MS } from './constants.ts'
import { packetKeys } from './admission.ts'
import { mapLimit } from './concurrency.ts'
import { DhtUnavailableError, InvalidOutcomeError, OutcomeNotFoundError } from './errors.ts'
import { NearFingerprinter } from './fingerprint.ts'
import { OutcomeDht } from './outcome-dht.ts'
import { OutcomeIndex } from './outcome-index.ts'
import { runQuery } from './outcome-query.ts'
import { buildOutcomePacket } from './packet.ts'
import { reproductionFactor, reproductionVerdict } from './reproduction.ts'
import { synthesise } from './synthesis.ts'
import type { FetchPacket, OutcomeProgress, QueryOptions, QueryResult } from './outcome-query.ts'
import type { LshOptions, OutcomeContext } from './fingerprint.ts'
import type { OutcomeDhtService } from './outcome-dht.ts'
import type { BuildOptions, BuiltPacket, DataScale, OutcomeInput } from './packet.ts'
import type { Verdict } from './reproduction.ts'
import type { Recommendation } from './synthesis.ts'
import type { OutcomeBody, SignedArtifact } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'
import type { Embedder } from '../router/types.ts'
import type { PrivateKey, Startable } from '@libp2p/interface'

const log = logger('baobab:outcomes:service')

export interface OutcomeServiceInit {
  library: Library
  privateKey: PrivateKey
  /** Embeds contexts for near fingerprints; nodes meet only when they use the same embedder id. */
  embedder: Embedder
  /** A kad-dht service configured with `outcomeKadDhtInit()` (e.g. `node.services.dht`). */
  dht?: OutcomeDhtService
  /** Fetches a packet's bytes by CID from peers (wired to the mesh's fetch protocol). */
  fetchPacket?: FetchPacket
  /** Called after this node stores a new packet or reproduction (e.g. gossip announcement). */
  announce?: (artifact: SignedArtifact) => void | Promise<void>
  /** Author reputation in [0, 1]; defaults to the reproduction-based `outcomes_reputation` table. */
  reputation?: (author: string) => number
  lsh?: LshOptions
  /** Period of `republish()` while started (kad-dht forgets records after 36 h); 0 = never. */
  republishMs?: number
  /** Delay of the first republish after start/attach (default 30 s). */
  firstRepublishMs?: number
  dhtTimeoutMs?: number
  now?: () => number
}

export interface PublishOptions extends BuildOptions {
  signal?: AbortSignal
  onProgress?: (event: OutcomeProgress) => void
  /** Store only; do not put to the DHT. */
  local?: boolean
}

export interface PublishResult {
  cid: string
  bytes: number
  keys: string[]
  warnings: string[]
  /** DHT outcome, absent when published locally only. */
  dht?: { keys: number, stored: number, failed: number }
}

export interface ReproduceResult extends PublishResult {
  target: string
  verdict: Verdict
}

export interface RecommendOptions extends QueryOptions {
  dataScale?: DataScale
}

export interface RecommendResult extends Recommendation {
  context: OutcomeContext
  query: Pick<QueryResult, 'keys' | 'rejected' | 'fetched'>
}

export class OutcomeService implements Startable {
  readonly index: OutcomeIndex
  readonly fingerprinter: NearFingerprinter
  readonly author: string
  private readonly init: OutcomeServiceInit
  private dht: OutcomeDht | undefined
  private readonly cache = new Map<string, Float32Array>()
  private unsubscribe: (() => void) | undefined
  private timer: NodeJS.Timeout | undefined
  private first: NodeJS.Timeout | undefined

  constructor (init: OutcomeServiceInit) {
    this.init = init
    this.author = peerIdFromPrivateKey(init.privateKey).toString()
    this.index = new OutcomeIndex(init.library)
    this.fingerprinter = new NearFingerprinter(init.embedder, init.lsh)
    this.dht = init.dht != null ? new OutcomeDht({ dht: init.dht, privateKey: init.privateKey, timeoutMs: init.dhtTimeoutMs, now: init.now }) : undefined
    this.index.backfill()
  }

  /** True when records go to and come from a DHT. */
  get hasDht (): boolean {
    return this.dht != null
  }

  /**
   * Late wiring for parts that exist only once the network runs (the mesh's libp2p node is
   * created in `mesh.start()`): the kad-dht service, the packet fetcher, the announcer.
   */
  attach (parts: Pick<OutcomeServiceInit, 'dht' | 'fetchPacket' | 'announce'>): void {
    if (parts.dht != null) this.dht = new OutcomeDht({ dht: parts.dht, privateKey: this.init.privateKey, timeoutMs: this.init.dhtTimeoutMs, now: this.init.now })
    if (parts.fetchPacket != null) this.init.fetchPacket = parts.fetchPacket
    if (parts.announce != null) this.init.announce = parts.announce
    if (parts.dht != null && this.unsubscribe != null) this.startRepublish()
  }

  start (): void {
    this.unsubscribe ??= this.init.library.onPut(a => { if (a.kind === 'outcome' || a.kind === 'reproduction') this.index.add(a) })
    this.startRepublish()
  }

  /** Republishes soon after the DHT is there (packets stored while offline), then periodically. */
  private startRepublish (): void {
    const every = this.init.republishMs ?? DEFAULT_REPUBLISH_MS
    if (this.dht == null || every <= 0 || this.timer != null) return
    const run = (): void => { this.republish().catch(err => { log.error('republish failed: %e', err) }) }
    this.first = setTimeout(run, Math.min(every, this.init.firstRepublishMs ?? 30_000))
    this.first.unref()
    this.timer = setInterval(run, every)
    this.timer.unref()
  }

  stop (): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    if (this.timer != null) clearInterval(this.timer)
    if (this.first != null) clearTimeout(this.first)
    this.timer = undefined
    this.first = undefined
  }

  /** Builds and signs a packet with this node's key (nothing stored). */
  async build (input: OutcomeInput, options: BuildOptions = {}): Promise<BuiltPacket> {
    return buildOutcomePacket(input, this.init.privateKey, { created: options.created ?? this.init.now?.(), shorten: options.shorten })
  }

  /** Stores this node's packet, then puts it under its exact and band keys. */
  async publish (input: OutcomeInput | SignedArtifact<'outcome'>, options: PublishOptions = {}): Promise<PublishResult> {
    let artifact: SignedArtifact<'outcome'>
    const warnings: string[] = []
    if ('envelope' in input) {
      artifact = await decodeArtifact(input.bytes, { expectedCid: input.cid }) as SignedArtifact<'outcome'>
      if (artifact.envelope.kind !== 'outcome') throw new InvalidOutcomeError('kind', 'must be outcome', artifact.envelope.kind)
      if (artifact.envelope.author !== this.author) throw new InvalidOutcomeError('author', 'must be this node (publish only your own packets)', artifact.envelope.author)
    } else {
      const built = await this.build(input, options)
      artifact = built.artifact
      warnings.push(...built.warnings)
    }
    const keys = await packetKeys(artifact.envelope.body, this.fingerprinter, options.signal)
    return this.store(artifact, keys, warnings, options)
  }

  /** Publishes a signed reproduction of packet `cid`: `measuredDelta` over `nEval` items. */
  async reproduce (cid: string, measuredDelta: number, nEval: number, options: Omit<PublishOptions, 'shorten'> = {}): Promise<ReproduceResult> {
    const target = await this.resolve(cid, options.signal)
    const body = target.envelope.body as OutcomeBody
    const warnings: string[] = []
    if (target.author === this.author) warnings.push('reproducing your own packet: it does not count towards its reproduction factor')
    let artifact: SignedArtifact<'reproduction'>
    try {
      artifact = await createArtifact('reproduction', { target: target.cid, measuredDelta, nEval }, this.init.privateKey, { created: options.created ?? this.init.now?.() })
    } catch (err) {
      const field = (err as { field?: string }).field ?? 'reproduction'
      throw new InvalidOutcomeError(field.replace(/^body\./, ''), (err as Error).message, field.includes('nEval') ? nEval : measuredDelta, { cause: err })
    }
    const keys = await packetKeys(body, this.fingerprinter, options.signal)
    const result = await this.store(artifact, keys, warnings, options)
    return { ...result, target: target.cid.toString(), verdict: reproductionVerdict(body.delta, measuredDelta) }
  }

  async query (ctx: OutcomeContext, options: QueryOptions = {}): Promise<QueryResult> {
    return runQuery({
      library: this.init.library,
      index: this.index,
      fingerprinter: this.fingerprinter,
      dht: this.dht,
      fetchPacket: this.init.fetchPacket,
      author: this.author,
      embed: async (texts, signal) => this.embed(texts, signal)
    }, ctx, options)
  }

  /** Query, then synthesise: weighted method vote, param medians/votes, expected delta, evidence. */
  async recommend (ctx: OutcomeContext, options: RecommendOptions = {}): Promise<RecommendResult> {
    const q = await this.query(ctx, options)
    const reputation = this.init.reputation ?? ((a: string) => this.index.reputation(a))
    const evidence = q.matches.map(m => ({
      cid: m.cid,
      author: m.author,
      body: m.body,
      match: m.match,
      similarity: m.similarity,
      reproduction: reproductionFactor(this.index.tally(m.cid, m.body.delta)),
      reputation: reputation(m.author),
      own: m.own
    }))
    const rec = synthesise(evidence, { dataScale: options.dataScale })
    return { ...rec, context: q.context, query: { keys: q.keys, rejected: q.rejected, fetched: q.fetched } }
  }

  /** Re-puts every key this node publishes under (records expire on peers after 36 h). */
  async republish (options: { signal?: AbortSignal } = {}): Promise<number> {
    if (this.dht == null) throw new DhtUnavailableError('republish')
    const keys = this.index.keysOf(this.author)
    for (const key of keys) {
      options.signal?.throwIfAborted()
      await this.dht.put(key, this.index.cidsForKey(key, this.author).map(c => CID.parse(c)), options)
    }
    return keys.length
  }

  private async store (artifact: SignedArtifact, keys: string[], warnings: string[], options: PublishOptions): Promise<PublishResult> {
    const cid = artifact.cid.toString()
    if (options.local !== true && this.dht == null) throw new DhtUnavailableError('publish')
    this.init.library.put(artifact, { status: 'trusted' })
    const stored = this.init.library.get(cid) as StoredArtifact
    this.index.add(stored)
    this.index.setKeys(cid, this.author, artifact.envelope.created, keys)
    const result: PublishResult = { cid, bytes: artifact.bytes.length, keys, warnings }
    if (options.local !== true && this.dht != null) {
      const dht = { keys: keys.length, stored: 0, failed: 0 }
      const dhtService = this.dht
      const writes = await mapLimit(keys, 4, async key => {
        const w = await dhtService.put(key, this.index.cidsForKey(key, this.author).map(c => CID.parse(c)), { signal: options.signal })
        options.onProgress?.({ type: 'outcomes:dht-put', key, stored: w.stored, failed: w.failed })
        return w
      })
      for (const w of writes) {
        dht.stored += w.stored
        dht.failed += w.failed
      }
      result.dht = dht
    }
    if (this.init.announce != null) {
      try {
        await this.init.announce(artifact)
      } catch (err) {
        // announcing is best effort (no subscriber yet, no peers): the DHT and sync still carry it
        log('announce of %s failed: %s', cid, (err as Error).message)
        result.warnings.push(`not announced on gossip: ${(err as Error).message}`)
      }
    }
    return result
  }

  /** A packet from the library, or fetched and verified through the hook. */
  private async resolve (cid: string, signal?: AbortSignal): Promise<StoredArtifact> {
    const local = this.init.library.get(cid)
    if (local != null) {
      if (local.envelope.kind !== 'outcome') throw new InvalidOutcomeError('target', 'is not an outcome packet', local.envelope.kind)
      return local
    }
    let bytes: Uint8Array | undefined
    try {
      bytes = await this.init.fetchPacket?.(cid, { signal })
    } catch (err) {
      throw new OutcomeNotFoundError(cid, { cause: err })
    }
    if (bytes == null) throw new OutcomeNotFoundError(cid)
    const artifact = await decodeArtifact(bytes, { expectedCid: cid })
    if (artifact.envelope.kind !== 'outcome') throw new InvalidOutcomeError('target', 'is not an outcome packet', artifact.envelope.kind)
    this.init.library.put(artifact, { status: 'quarantined', reason: 'outcomes: fetched to reproduce' })
    return this.init.library.get(cid) as StoredArtifact
  }

  private async embed (texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter(t => !this.cache.has(t)))]
    if (missing.length > 0) {
      const { embeddings } = await this.init.embedder.doEmbed({ values: missing, signal })
      if (this.cache.size + missing.length > 4096) this.cache.clear()
      missing.forEach((t, i) => this.cache.set(t, embeddings[i]!))
    }
    return texts.map(t => this.cache.get(t)!)
  }
}

export function createOutcomeService (init: OutcomeServiceInit): OutcomeService {
  return new OutcomeService(init)
}
