/**
 * OutcomeService: builds, stores and publishes this node's outcome packets and reproductions,
 * answers queries and synthesises recommendations. The DHT and the packet fetcher are optional, so
 * a single node with no network still queries and recommends from its own library.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createArtifact, decodeArtifact } from '../artifacts/index.ts'
import { DEFAULT_NETWORK_MS, DEFAULT_REPUBLISH_MS } from './constants.ts'
import { packetKeys } from './admission.ts'
import { DhtPublisher } from './dht-publisher.ts'
import { DhtUnavailableError, InvalidOutcomeError, OutcomeNotFoundError } from './errors.ts'
import { NearFingerprinter } from './fingerprint.ts'
import { explainRecommendation } from './explain.ts'
import { OutcomeDht } from './outcome-dht.ts'
import { OutcomeIndex } from './outcome-index.ts'
import { runQuery } from './outcome-query.ts'
import { buildOutcomePacket } from './packet.ts'
import { netVerdict, reproductionFactor, reproductionVerdict } from './reproduction.ts'
import { synthesise } from './synthesis.ts'
import type { NetworkLink } from './dht-publisher.ts'
import type { FetchPacket, QueryOptions, QueryResult } from './outcome-query.ts'
import type { LshOptions, OutcomeContext } from './fingerprint.ts'
import type { OutcomeDhtService } from './outcome-dht.ts'
import type { BuildOptions, BuiltPacket, OutcomeInput } from './packet.ts'
import type { PublishOptions, PublishResult, RecommendOptions, RecommendResult, ReproduceResult } from './service-types.ts'
import type { OutcomeBody, SignedArtifact } from '../artifacts/index.ts'
import type { Admission, Library, StoredArtifact } from '../library/index.ts'
import type { Embedder } from '../embedding/index.ts'
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
  /**
   * The door every fetched packet goes through (the trust pipeline's admission): a packet from
   * the DHT is stored only by it, never directly. Without one, listed packets are not fetched.
   */
  admission?: Pick<Admission, 'admitVerified'>
  /** Called after this node stores a new packet or reproduction (e.g. gossip announcement). */
  announce?: (artifact: SignedArtifact) => void | Promise<void>
  /** Author reputation in [0, 1]; defaults to the reproduction-based `outcomes_reputation` table. */
  reputation?: (author: string) => number
  lsh?: LshOptions
  /** Connected peers and peer-connect events (puts packets stored while alone when peers appear). */
  network?: NetworkLink
  /** Age after which a key's record is put again while started (kad-dht forgets records after 36 h); 0 = never. */
  republishMs?: number
  /** Delay of the first round of due puts after start/attach (default 30 s). */
  firstRepublishMs?: number
  dhtTimeoutMs?: number
  /** Default time limit of a command's network part (5 s). */
  networkMs?: number
  now?: () => number
}

export class OutcomeService implements Startable {
  readonly index: OutcomeIndex
  readonly fingerprinter: NearFingerprinter
  readonly author: string
  private readonly init: OutcomeServiceInit
  /** Puts entries on the DHT; its `events` say when packets stored while alone reached peers. */
  readonly publisher: DhtPublisher
  private readonly cache = new Map<string, Float32Array>()
  private unsubscribe: (() => void) | undefined
  private stopRounds: (() => void) | undefined

  constructor (init: OutcomeServiceInit) {
    this.init = init
    this.author = peerIdFromPrivateKey(init.privateKey).toString()
    this.index = new OutcomeIndex(init.library)
    this.fingerprinter = new NearFingerprinter(init.embedder, init.lsh)
    this.publisher = new DhtPublisher({ index: this.index, author: this.author,
      republishMs: init.republishMs ?? DEFAULT_REPUBLISH_MS, now: init.now ?? Date.now })
    this.publisher.set(this.outcomeDht(init.dht), init.network)
    this.index.backfill()
  }

  private outcomeDht (dht: OutcomeDhtService | undefined): OutcomeDht | undefined {
    return dht != null ? new OutcomeDht({ dht, privateKey: this.init.privateKey, timeoutMs: this.init.dhtTimeoutMs, now: this.init.now }) : undefined
  }

  /** True when records go to and come from a DHT. */
  get hasDht (): boolean { return this.publisher.hasDht }

  /**
   * Late wiring for parts that exist only once the network runs (the mesh's libp2p node is
   * created in `mesh.start()`): the kad-dht service, the packet fetcher, the announcer.
   */
  attach (parts: Pick<OutcomeServiceInit, 'dht' | 'fetchPacket' | 'admission' | 'announce' | 'network'>): void {
    this.publisher.set(this.outcomeDht(parts.dht), parts.network)
    if (parts.fetchPacket != null) this.init.fetchPacket = parts.fetchPacket
    if (parts.admission != null) this.init.admission = parts.admission
    if (parts.announce != null) this.init.announce = parts.announce
    if (this.unsubscribe != null) this.startRounds()
  }

  start (): void {
    this.unsubscribe ??= this.init.library.onPut(a => { if (a.kind === 'outcome' || a.kind === 'reproduction') this.index.add(a) })
    this.startRounds()
  }

  /**
   * Puts due keys soon after the DHT is there and shortly after each peer connects (packets stored
   * while alone), then checks every 10 minutes at most; keys are put again after `republishMs`.
   */
  private startRounds (): void {
    const every = this.init.republishMs ?? DEFAULT_REPUBLISH_MS
    if (!this.hasDht || every <= 0 || this.stopRounds != null) return
    this.stopRounds = this.publisher.start(Math.min(every, 10 * 60_000), Math.min(every, this.init.firstRepublishMs ?? 30_000))
  }

  stop (): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.stopRounds?.()
    this.stopRounds = undefined
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
    const target = await this.resolve(cid, options)
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
      publisher: this.publisher,
      fetchPacket: this.init.fetchPacket,
      admission: this.init.admission,
      author: this.author,
      embed: async (texts, signal) => this.embed(texts, signal)
    }, ctx, { ...options, networkMs: options.networkMs ?? this.init.networkMs })
  }

  /** Query, then synthesise: weighted method vote, param medians/votes, expected delta, evidence. */
  async recommend (ctx: OutcomeContext, options: RecommendOptions = {}): Promise<RecommendResult> {
    const q = await this.query(ctx, options)
    const reputation = this.init.reputation ?? ((a: string) => this.index.reputation(a))
    const evidence = q.matches.map(m => ({
      cid: m.cid, author: m.author, body: m.body,
      match: m.match,
      similarity: m.similarity,
      reproduction: reproductionFactor(this.index.tally(m.cid, m.body.delta)),
      verdict: netVerdict(this.index.tally(m.cid, m.body.delta)),
      reputation: reputation(m.author),
      own: m.own
    }))
    const rec = synthesise(evidence, { dataScale: options.dataScale })
    return { ...rec, explained: explainRecommendation(rec), context: q.context,
      query: { keys: q.keys, rejected: q.rejected, fetched: q.fetched, network: q.network } }
  }

  /** Re-puts every key this node publishes under now (records expire on peers after 36 h). */
  async republish (options: { signal?: AbortSignal } = {}): Promise<number> {
    if (!this.hasDht) throw new DhtUnavailableError('republish')
    const keys = this.index.keysOf(this.author)
    await this.publisher.put(keys, options)
    return keys.length
  }

  private async store (artifact: SignedArtifact, keys: string[], warnings: string[], options: PublishOptions): Promise<PublishResult> {
    const cid = artifact.cid.toString()
    this.init.library.put(artifact, { status: 'trusted' })
    const stored = this.init.library.get(cid) as StoredArtifact
    this.index.add(stored)
    this.index.setKeys(cid, this.author, artifact.envelope.created, keys)
    const net = await this.publisher.publish(keys, { ...options, networkMs: options.networkMs ?? this.init.networkMs ?? DEFAULT_NETWORK_MS })
    warnings.push(...net.warnings)
    const result: PublishResult = { cid, bytes: artifact.bytes.length, keys, warnings, network: net.network, pending: net.pending,
      ...(net.dht != null ? { dht: net.dht } : {}) }
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
  private async resolve (cid: string, options: Pick<PublishOptions, 'signal' | 'networkMs' | 'local'>): Promise<StoredArtifact> {
    const local = this.init.library.get(cid)
    if (local != null) {
      if (local.envelope.kind !== 'outcome') throw new InvalidOutcomeError('target', 'is not an outcome packet', local.envelope.kind)
      return local
    }
    const offline = options.local === true ? 'not fetched (--local)' : this.publisher.unavailable()
    if (offline != null) throw new OutcomeNotFoundError(cid, { cause: new Error(offline) })
    const deadline = AbortSignal.timeout(options.networkMs ?? this.init.networkMs ?? DEFAULT_NETWORK_MS)
    const signal = options.signal != null ? AbortSignal.any([options.signal, deadline]) : deadline
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
