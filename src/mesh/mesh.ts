/** The Mesh component: owns the libp2p node and wires discovery, gossip, sync and fetch. */
import { prefixLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Announcer } from './announcer.ts'
import { ArtifactFetcher } from './artifact-fetcher.ts'
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_SYNC_INTERVAL_MS } from './constants.ts'
import { HandshakeRefusedError, InvalidMeshConfigError, InvalidMultiaddrError, MeshNotStartedError } from './errors.ts'
import { handshakeRefusal } from './handshake-refusal.ts'
import { FetchServer } from './fetch-server.ts'
import { createLibp2pNode } from './libp2p-node.ts'
import { PeerBook } from './peer-book.ts'
import { PeerManager } from './peer-manager.ts'
import { PendingStore } from './pending-store.ts'
import { SyncService } from './sync-protocol.ts'
import { mapLimit } from '../limits/index.ts'
import type { Admission, AdmitResult } from '../library/index.ts'
import type { AnnounceResult } from './announcer.ts'
import type { Announcement } from './announce.ts'
import type { FetchOptions, FetchProgressEvent, FetchResult } from './artifact-fetcher.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { KnownPeer } from './peer-book.ts'
import type { MeshComponents, MeshEvents, MeshInit, PeerSummary, SyncWithResult } from './types.ts'
import type { SignedArtifact } from '../artifacts/index.ts'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a started mesh runs: set once by `start()`, cleared by `stop()`. */
interface Running {
  node: MeshLibp2p
  sync: SyncService
  server: FetchServer
  announcer: Announcer
  fetcher: ArtifactFetcher
  manager: PeerManager
}

export class Mesh implements Startable {
  readonly events = new EventTarget()
  readonly admission: Admission
  readonly logger: ComponentLogger
  private readonly components: MeshComponents
  private readonly init: MeshInit
  private readonly log: Logger
  private running: Running | undefined
  private readonly pending: PendingStore
  private readonly book: PeerBook
  private readonly providers = new Map<string, Set<string>>()
  /** Artifacts the fetch policy declined: a later sync does not count them as new again. */
  private readonly declined = new Set<string>()
  private controller = new AbortController()

  constructor (components: MeshComponents, init: MeshInit = {}) {
    if (components.admission == null) throw new InvalidMeshConfigError('admission', 'a mesh needs the trust pipeline: nothing received is trusted by default')
    this.components = components
    this.init = init
    this.logger = components.logger ?? prefixLogger('baobab')
    this.log = this.logger.forComponent('mesh')
    this.admission = components.admission
    this.pending = new PendingStore(components.library)
    this.book = new PeerBook(components.library)
    for (const name of ['artifact:quarantined', 'artifact:admitted', 'artifact:rejected'] as const) {
      this.admission.events.addEventListener(name, e => { this.emit(name, (e as CustomEvent<AdmitResult>).detail) })
    }
  }

  /** The libp2p node (after start). */
  get libp2p (): MeshLibp2p { return this.parts().node }

  get peerId (): PeerId { return this.libp2p.peerId }

  isStarted (): boolean { return this.running != null }

  /** Full listen addresses, each ending in /p2p/<peerId>. */
  multiaddrs (): string[] { return this.libp2p.getMultiaddrs().map(m => m.toString()) }

  on<K extends keyof MeshEvents> (type: K, listener: (detail: MeshEvents[K]) => void): () => void {
    const l = (e: Event): void => { listener((e as CustomEvent<MeshEvents[K]>).detail) }
    this.events.addEventListener(type, l)
    return () => { this.events.removeEventListener(type, l) }
  }

  private emit<K extends keyof MeshEvents> (type: K, detail: MeshEvents[K]): void {
    this.events.dispatchEvent(new CustomEvent(type, { detail }))
  }

  async start (): Promise<void> {
    if (this.running != null) return
    const { library, privateKey } = this.components
    const init = this.init
    this.controller = new AbortController()
    // the libp2p settings in `init` pass through as they are
    const node = await createLibp2pNode({ ...init, privateKey, logger: this.logger, listen: init.listen ?? ['/ip4/0.0.0.0/tcp/0'] })
    const log = this.log
    const running: Running = {
      node,
      sync: new SyncService({ libp2p: node, library, logger: this.logger }, {
        onOffered: (peer, cids) => { this.onOffered(peer, cids) }
      }),
      server: new FetchServer({ libp2p: node, library, logger: this.logger }, {
        concurrency: init.serveConcurrency,
        bytesPerSecond: init.serveBytesPerSecond,
        transform: init.serveTransform,
        onServed: e => { this.emit('fetch:served', e) }
      }),
      fetcher: new ArtifactFetcher({ libp2p: node, library, admission: this.admission, pending: this.pending, log: this.logger.forComponent('mesh:fetch') }, {
        policy: init.policy ?? {},
        perPeerConcurrency: init.perPeerConcurrency,
        knownProviders: cid => [...(this.providers.get(cid) ?? [])].map(p => peerIdFromString(p))
      }),
      announcer: new Announcer({ libp2p: node, library, privateKey, log: this.logger.forComponent('mesh:announce') }, {
        network: init.network ?? 'default',
        watchIntervalMs: init.watchIntervalMs ?? 2000,
        onAnnouncement: a => { this.onAnnouncement(a) }
      }),
      manager: new PeerManager(node, this.book, {
        discovered: (peer, addrs) => { this.emit('peer:discovered', { peer, addrs }) },
        connected: peer => { this.emit('peer:connected', { peer }) },
        disconnected: peer => { this.emit('peer:disconnected', { peer }) },
        refused: (peer, reason) => {
          this.log('peer %s refused: %s', peer, reason)
          this.emit('peer:refused', { peer, reason })
        },
        ready: () => { this.resumePending() },
        sync: async peer => this.syncWith(peer, { fetch: init.autoFetch !== false }),
        periodic: () => { if (this.pending.list().length > 0) this.resumePending() }
      }, {
        maxConnections: init.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
        syncOnConnect: init.syncOnConnect !== false,
        syncIntervalMs: init.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS,
        privateNetwork: init.psk != null
      }, log)
    }
    this.running = running
    await running.sync.start()
    await running.server.start()
    running.manager.start()
    await node.start()
    running.announcer.start()
    log('started %s on %s', node.peerId, this.multiaddrs().join(', '))
  }

  async stop (): Promise<void> {
    const running = this.running
    if (running == null) return
    this.controller.abort(new MeshNotStartedError())
    await running.manager.stop()
    running.announcer.stop()
    await running.sync.stop()
    await running.server.stop()
    await running.node.stop()
    this.running = undefined
    this.log('stopped')
  }

  peers (): PeerSummary[] {
    return this.libp2p.getConnections().map(c => ({
      peer: c.remotePeer.toString(),
      addrs: [c.remoteAddr.toString()],
      direction: c.direction,
      streams: c.streams.length
    }))
  }

  /** Peers this node has seen (also those recorded by an earlier or another running process). */
  knownPeers (): KnownPeer[] { return this.book.list() }

  /** Dials a multiaddr (with /p2p/<id> it is checked); returns the remote peer id. */
  async dial (address: string | Multiaddr, options: { signal?: AbortSignal } = {}): Promise<string> {
    let ma: Multiaddr
    try {
      ma = typeof address === 'string' ? multiaddr(address) : address
    } catch (err) {
      throw new InvalidMultiaddrError(String(address), { cause: err })
    }
    try {
      const conn = await this.libp2p.dial(ma, { signal: this.signal(options.signal) })
      return conn.remotePeer.toString()
    } catch (err) {
      const reason = handshakeRefusal(err, this.init.psk != null)
      if (reason == null || this.controller.signal.aborted) throw err
      const peer = ma.getComponents().findLast(c => c.name === 'p2p')?.value
      if (peer != null) this.book.refused(peer, reason)
      throw new HandshakeRefusedError(reason, peer, { cause: err })
    }
  }

  /** Reconciles with `peer`, then (unless `fetch: false`) fetches what the policy wants of what we lack. */
  async syncWith (
    peer: PeerId | Multiaddr | string,
    options: { fetch?: boolean, signal?: AbortSignal, onProgress?: (e: FetchProgressEvent) => void } = {}
  ): Promise<SyncWithResult> {
    const signal = this.signal(options.signal)
    const target = typeof peer === 'string' ? (peer.startsWith('/') ? multiaddr(peer) : peerIdFromString(peer)) : peer
    const { sync, manager } = this.parts()
    const reconciled = await sync.syncWith(target, { signal })
    manager.synced(reconciled.peer)
    for (const cid of reconciled.need) this.addProvider(cid, reconciled.peer)
    // what we lack from the peer's shared set, less what we hold unshared (held, rejected,
    // private) or the policy declined: the count of what will actually be transferred
    const need = reconciled.need.filter(cid => !this.components.library.has(cid) && !this.declined.has(cid))
    const result = { ...reconciled, need }
    this.emit('sync:done', result)
    const out: SyncWithResult = { ...result, fetched: [], failed: [] }
    if (options.fetch === false || result.need.length === 0) return out
    await mapLimit(result.need, 4, async cid => {
      try {
        out.fetched.push(await this.fetch(cid, { providers: [result.peer], respectPolicy: true, signal, onProgress: options.onProgress }))
      } catch (err) {
        if (signal.aborted) throw err
        out.failed.push({ cid, error: `${(err as Error).name}: ${(err as Error).message}` })
      }
    })
    return out
  }

  /** Fetches an artifact (and its chunks), verifies and admits it. */
  async fetch (cid: string, options: FetchOptions = {}): Promise<FetchResult> {
    const r = await this.parts().fetcher.fetch(cid, {
      ...options,
      signal: this.signal(options.signal),
      onProgress: e => { this.emit('fetch:progress', e); options.onProgress?.(e) }
    })
    if (r.outcome === 'unwanted') {
      if (this.declined.size > 100_000) this.declined.clear()
      this.declined.add(cid)
    }
    return r
  }

  /** Announces an artifact on the network's gossip topic. */
  async announce (artifact: SignedArtifact): Promise<AnnounceResult> {
    return this.parts().announcer.announce(artifact)
  }

  /** Known holders of `cid` from announcements and syncs. */
  providersOf (cid: string): string[] { return [...(this.providers.get(cid) ?? [])] }

  /** Resumes fetches interrupted earlier (also across restarts). */
  resumePending (): void {
    for (const p of this.pending.list()) {
      void this.fetch(p.cid, { providers: p.providers }).catch(err => { this.log('resume of %s failed: %s', p.cid, (err as Error).message) })
    }
  }

  /** The running parts; a mesh that is not started has none. */
  private parts (): Running {
    if (this.running == null) throw new MeshNotStartedError()
    return this.running
  }

  private signal (extra?: AbortSignal): AbortSignal {
    return extra != null ? AbortSignal.any([this.controller.signal, extra]) : this.controller.signal
  }

  private addProvider (cid: string, peer: string): void {
    let s = this.providers.get(cid)
    if (s == null) {
      if (this.providers.size > 100_000) this.providers.clear()
      this.providers.set(cid, s = new Set())
    }
    s.add(peer)
  }

  /** A peer that synced with us found these missing here: fetch what the policy wants. */
  private onOffered (peer: string, cids: string[]): void {
    for (const cid of cids) this.addProvider(cid, peer)
    if (this.init.autoFetch === false) return
    for (const cid of cids) {
      void this.fetch(cid, { providers: [peer], respectPolicy: true })
        .catch(err => { this.log('fetch of offered %s failed: %s', cid, (err as Error).message) })
    }
  }

  private onAnnouncement (a: Announcement): void {
    this.addProvider(a.cid, a.node)
    this.emit('announcement', a)
    const node = this.running?.node
    if (node == null || this.init.autoFetch === false || this.components.library.has(a.cid)) return
    const peer = peerIdFromString(a.node)
    const addrs = a.addrs.flatMap(s => { try { return [multiaddr(s)] } catch { return [] } })
    void node.peerStore.merge(peer, { multiaddrs: addrs })
      .catch(() => {})
      .then(async () => this.fetch(a.cid, { providers: [peer], respectPolicy: true }))
      .catch(err => { this.log('fetch of announced %s failed: %s', a.cid, (err as Error).message) })
  }
}

export function createMesh (components: MeshComponents, init: MeshInit = {}): Mesh {
  return new Mesh(components, init)
}
