/**
 * Reacts to the libp2p node's peer events: dials discovered peers (within the connection cap),
 * records peers in the peer book, starts a sync when a Baobab peer finishes identify, and runs
 * the periodic sync.
 */
import { SYNC_MIN_INTERVAL_MS, SYNC_PROTOCOL } from './constants.ts'
import { handshakeRefusal } from './handshake-refusal.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { PeerBook } from './peer-book.ts'
import type { Libp2pEvents, Logger, PeerId } from '@libp2p/interface'

export interface PeerManagerHooks {
  discovered: (peer: string, addrs: string[]) => void
  connected: (peer: string) => void
  disconnected: (peer: string) => void
  /** A seen peer's handshake failed (a private network this node has no key for, or another key). */
  refused: (peer: string, reason: string) => void
  /** A peer speaking `/baobab/sync/1` is ready. */
  ready: (peer: PeerId) => void
  sync: (peer: PeerId) => Promise<unknown>
  periodic: () => void
}

export interface PeerManagerInit {
  maxConnections: number
  syncOnConnect: boolean
  syncIntervalMs: number
  /** This node uses a pre-shared key (for the wording of refusals). */
  privateNetwork: boolean
}

export class PeerManager {
  private readonly node: MeshLibp2p
  private readonly book: PeerBook
  private readonly hooks: PeerManagerHooks
  private readonly init: PeerManagerInit
  private readonly log: Logger
  private readonly lastSync = new Map<string, number>()
  private readonly controller = new AbortController()
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly unlisten: Array<() => void> = []
  private readonly running = new Set<Promise<unknown>>()

  constructor (node: MeshLibp2p, book: PeerBook, hooks: PeerManagerHooks, init: PeerManagerInit, log: Logger) {
    this.node = node
    this.book = book
    this.hooks = hooks
    this.init = init
    this.log = log
  }

  start (): void {
    const { book, hooks } = this
    book.disconnectAll()
    this.listen('peer:discovery', evt => {
      const peer = evt.detail.id.toString()
      const addrs = evt.detail.multiaddrs.map(m => m.toString())
      book.seen(peer, { addrs, via: 'discovery' })
      hooks.discovered(peer, addrs)
      this.maybeDial(evt.detail.id)
    })
    this.listen('connection:open', evt => {
      const c = evt.detail
      book.seen(c.remotePeer.toString(), { connected: true, addrs: [c.remoteAddr.toString()], via: c.direction === 'inbound' ? 'inbound' : 'dial' })
    })
    this.listen('peer:connect', evt => { hooks.connected(evt.detail.toString()) })
    this.listen('peer:disconnect', evt => {
      book.seen(evt.detail.toString(), { connected: false, via: 'dial' })
      hooks.disconnected(evt.detail.toString())
    })
    this.listen('peer:identify', evt => {
      if (!evt.detail.protocols.includes(SYNC_PROTOCOL)) return
      if (this.init.syncOnConnect) this.backgroundSync(evt.detail.peerId)
      hooks.ready(evt.detail.peerId)
    })
    if (this.init.syncIntervalMs > 0) {
      this.timer = setInterval(() => { this.periodic() }, this.init.syncIntervalMs)
      this.timer.unref()
    }
  }

  /**
   * Stops reacting: removes the libp2p listeners (libp2p can still emit identify or disconnect
   * events while and after it stops; by then the library may be closed), then waits for the
   * background syncs, which the mesh has aborted already.
   */
  async stop (): Promise<void> {
    this.controller.abort()
    clearInterval(this.timer)
    for (const off of this.unlisten.splice(0)) off()
    await Promise.allSettled([...this.running])
    this.book.disconnectAll()
  }

  /** Adds a libp2p listener that stop() removes and that ignores events after stop(). */
  private listen<K extends keyof Libp2pEvents> (type: K, handler: (evt: Libp2pEvents[K]) => void): void {
    const listener = (evt: Libp2pEvents[K]): void => {
      if (this.controller.signal.aborted) return
      try {
        handler(evt)
      } catch (err) {
        this.log('%s handler failed: %s', type, (err as Error).message)
      }
    }
    this.node.addEventListener(type, listener)
    this.unlisten.push(() => { this.node.removeEventListener(type, listener) })
  }

  /** Records a sync so the automatic one does not repeat it at once. */
  synced (peer: string): void {
    this.lastSync.set(peer, Date.now())
  }

  private maybeDial (peer: PeerId): void {
    const node = this.node
    if (node.getConnections(peer).length > 0 || node.getConnections().length >= this.init.maxConnections) return
    // both sides discover each other: the smaller id dials at once, the other waits a moment
    const delay = node.peerId.toString() < peer.toString() ? 0 : 1000
    setTimeout(() => {
      if (this.controller.signal.aborted || node.getConnections(peer).length > 0) return
      node.dial(peer, { signal: this.controller.signal }).catch(err => {
        this.log('dial %s failed: %s', peer, (err as Error).message)
        const reason = this.controller.signal.aborted ? undefined : handshakeRefusal(err, this.init.privateNetwork)
        if (reason == null) return
        this.book.refused(peer.toString(), reason)
        this.hooks.refused(peer.toString(), reason)
      })
    }, delay).unref()
  }

  private backgroundSync (peer: PeerId): void {
    const key = peer.toString()
    if (Date.now() - (this.lastSync.get(key) ?? 0) < SYNC_MIN_INTERVAL_MS) return
    this.lastSync.set(key, Date.now())
    const run = this.hooks.sync(peer)
      .catch(err => { this.log('sync with %s failed: %s', key, (err as Error).message) })
      .finally(() => { this.running.delete(run) })
    this.running.add(run)
  }

  private periodic (): void {
    if (this.controller.signal.aborted) return
    const conns = this.node.getConnections().filter(c => c.status === 'open')
    const c = conns[Math.floor(Math.random() * conns.length)]
    if (c != null) this.backgroundSync(c.remotePeer)
    this.hooks.periodic()
  }
}
