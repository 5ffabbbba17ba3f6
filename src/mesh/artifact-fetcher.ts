/**
 * Fetching one artifact: its bytes from the first provider that serves a valid copy, then (for
 * adapters) its weight chunks from all providers at once, then admission. Progress is kept in
 * `mesh_pending`, so a restart resumes where the last verified chunk left off.
 */
import { CID } from 'multiformats/cid'
import { decodeArtifact } from '../artifacts/index.ts'
import { fetchChunks } from './chunk-fetcher.ts'
import { FetchFailedError } from './errors.ts'
import { FetchSession } from './fetch-client.ts'
import { traitsOf, wants } from './policy.ts'
import { Semaphore } from '../limits/index.ts'
import type { Admission, AdmitResult } from '../library/index.ts'
import type { ChunkFetchResult, ChunkProgressEvent } from './chunk-fetcher.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { PendingStore } from './pending-store.ts'
import type { FetchPolicy } from './policy.ts'
import type { SignedArtifact } from '../artifacts/index.ts'
import type { Library } from '../library/index.ts'
import type { Logger, PeerId } from '@libp2p/interface'

export type FetchProgressEvent =
  | { type: 'fetch:artifact', cid: string, peer: string }
  | { type: 'fetch:chunks', cid: string, total: number, present: number }
  | (ChunkProgressEvent & { artifact: string })

export interface FetchOptions {
  /** Peers to ask first (peer ids); connected peers are tried after them. */
  providers?: Array<PeerId | string>
  /** Skip artifacts the fetch policy does not want (used for announcements and sync). */
  respectPolicy?: boolean
  signal?: AbortSignal
  onProgress?: (e: FetchProgressEvent) => void
}

export interface FetchResult extends Partial<AdmitResult> {
  cid: string
  /** `exists`: already in the library; `unwanted`: the policy declined it. */
  outcome: 'admitted' | 'exists' | 'unwanted'
  chunks?: ChunkFetchResult
}

export interface ArtifactFetcherComponents {
  libp2p: MeshLibp2p
  library: Library
  admission: Admission
  pending: PendingStore
  log: Logger
}

export interface ArtifactFetcherInit {
  policy: FetchPolicy
  perPeerConcurrency?: number
  /** Artifacts fetched at once (default 8); the rest queue. */
  maxConcurrentFetches?: number
  /** Providers beyond the ones given, e.g. peers known from announcements and sync. */
  knownProviders: (cid: string) => PeerId[]
}

export class ArtifactFetcher {
  private readonly c: ArtifactFetcherComponents
  private readonly init: ArtifactFetcherInit
  private readonly inflight = new Map<string, Promise<FetchResult>>()
  private readonly slots: Semaphore

  constructor (components: ArtifactFetcherComponents, init: ArtifactFetcherInit) {
    this.c = components
    this.init = init
    this.slots = new Semaphore(init.maxConcurrentFetches ?? 8)
  }

  /** Fetches `cid` unless it is stored or already being fetched (then joins that fetch). */
  async fetch (cid: string, options: FetchOptions = {}): Promise<FetchResult> {
    const existing = this.c.library.get(cid)
    if (existing != null) return { cid, outcome: 'exists', status: existing.status, kind: existing.kind }
    let p = this.inflight.get(cid)
    if (p == null) {
      p = this.slots.run(async () => this.run(cid, options)).finally(() => { this.inflight.delete(cid) })
      this.inflight.set(cid, p)
    }
    return p
  }

  private providers (cid: string, given: Array<PeerId | string> = []): PeerId[] {
    const out = new Map<string, PeerId>()
    const self = this.c.libp2p.peerId.toString()
    const add = (p: PeerId): void => { if (p.toString() !== self && !out.has(p.toString())) out.set(p.toString(), p) }
    for (const g of given) {
      if (typeof g !== 'string') { add(g); continue }
      const conn = this.c.libp2p.getConnections().find(c => c.remotePeer.toString() === g)
      if (conn != null) add(conn.remotePeer)
      else {
        const known = this.init.knownProviders(cid).find(k => k.toString() === g)
        if (known != null) add(known)
      }
    }
    for (const k of this.init.knownProviders(cid)) add(k)
    for (const c of this.c.libp2p.getConnections()) add(c.remotePeer)
    return [...out.values()]
  }

  private async run (cid: string, options: FetchOptions): Promise<FetchResult> {
    const { library, admission, pending, log } = this.c
    const providers = this.providers(cid, options.providers)
    const saved = pending.get(cid)
    let artifact: SignedArtifact
    let source: string
    /** The source's fetch stream, kept open for the chunks. */
    let session: FetchSession | undefined
    if (saved != null) {
      artifact = await decodeArtifact(saved.bytes, { expectedCid: cid })
      source = saved.providers[0] ?? 'unknown'
      for (const p of this.providers(cid, saved.providers)) if (!providers.some(x => x.equals(p))) providers.push(p)
    } else {
      ({ artifact, source, session } = await this.fetchArtifact(cid, providers, options))
    }
    let chunks: ChunkFetchResult | undefined
    try {
      if (options.respectPolicy === true && !wants(this.init.policy, traitsOf(artifact))) {
        log('not fetching %s: policy declines %o', cid, traitsOf(artifact))
        return { cid, outcome: 'unwanted', kind: artifact.envelope.kind }
      }
      const chunkCids = artifact.envelope.kind === 'adapter' ? (artifact.envelope.body as { chunks: CID[] }).chunks.map(String) : []
      if (chunkCids.length > 0) {
        library.blobs.warm()
        pending.put({ cid, bytes: artifact.bytes, providers: [source, ...providers.map(String)] })
        const present = chunkCids.filter(c => library.blobs.has(c)).length
        options.onProgress?.({ type: 'fetch:chunks', cid, total: chunkCids.length, present })
        // the source first: it is known to have the whole adapter
        const ordered = [...providers].sort((a, b) => (b.toString() === source ? 1 : 0) - (a.toString() === source ? 1 : 0))
        const open = session != null ? new Map([[source, session]]) : undefined
        session = undefined // fetchChunks ends it
        chunks = await fetchChunks(this.c.libp2p, library.blobs, log, chunkCids, ordered, {
          signal: options.signal,
          perPeerConcurrency: this.init.perPeerConcurrency,
          verifyPresent: saved != null,
          sessions: open,
          onProgress: e => { options.onProgress?.({ ...e, artifact: cid }) }
        })
      }
    } finally {
      session?.end()
    }
    const admitted = await admission.admitVerified(artifact, { source: { type: 'peer', peer: source }, signal: options.signal })
    pending.remove(cid)
    return { ...admitted, outcome: 'admitted', chunks }
  }

  /** The artifact from the first provider that serves a valid copy, and that provider's open stream. */
  private async fetchArtifact (
    cid: string, providers: PeerId[], options: FetchOptions
  ): Promise<{ artifact: SignedArtifact, source: string, session: FetchSession }> {
    const attempts: string[] = []
    const parsed = CID.parse(cid)
    for (const peer of providers) {
      options.signal?.throwIfAborted()
      let session: FetchSession | undefined
      try {
        session = await FetchSession.open(this.c.libp2p, peer, { signal: options.signal })
        const r = await session.request(parsed)
        const artifact = await decodeArtifact(r.data, { expectedCid: cid })
        options.onProgress?.({ type: 'fetch:artifact', cid, peer: peer.toString() })
        return { artifact, source: peer.toString(), session }
      } catch (err) {
        session?.abort()
        if (options.signal?.aborted === true) throw err
        const e = err as Error
        attempts.push(`${peer.toString()}: ${e.name}: ${e.message}`)
        if (e.name !== 'FetchRefusedError') this.c.log('artifact %s from %s failed: %s', cid, peer, e.message)
      }
    }
    throw new FetchFailedError(cid, attempts)
  }
}
