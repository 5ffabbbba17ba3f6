/**
 * Gossip side of the mesh: publishes signed announcements for artifacts this node adds itself
 * (in this process or through another process sharing the library), validates incoming ones
 * before gossipsub forwards them, and hands valid ones to the mesh.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { ANNOUNCE_MAX_SKEW_MS, announceTopic } from './constants.ts'
import { announcementFor, decodeAnnouncement, encodeAnnouncement } from './announce.ts'
import type { Announcement } from './announce.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { SignedArtifact } from '../artifacts/index.ts'
import type { Library } from '../library/index.ts'
import type { Message } from '@libp2p/gossipsub'
import type { Logger, PrivateKey } from '@libp2p/interface'

export interface AnnouncerComponents {
  libp2p: MeshLibp2p
  library: Library
  privateKey: PrivateKey
  log: Logger
}

export interface AnnouncerInit {
  network: string
  /** How often to look for artifacts added by other processes (0 = never). */
  watchIntervalMs: number
  onAnnouncement: (a: Announcement) => void
}

export interface AnnounceResult {
  cid: string
  recipients: number
}

export class Announcer {
  readonly topic: string
  private readonly c: AnnouncerComponents
  private readonly init: AnnouncerInit
  private timer: ReturnType<typeof setInterval> | undefined
  private unhookPut: (() => void) | undefined
  private checking = false
  /** Announcements the validator already decoded and verified, keyed by the message bytes. */
  private readonly validated = new WeakMap<Uint8Array, Announcement>()
  private readonly onMessage = (evt: CustomEvent<Message>): void => { void this.receive(evt.detail) }

  constructor (components: AnnouncerComponents, init: AnnouncerInit) {
    this.c = components
    this.init = init
    this.topic = announceTopic(init.network)
    components.library.db.exec('CREATE TABLE IF NOT EXISTS mesh_announced (cid TEXT PRIMARY KEY, at INTEGER NOT NULL) STRICT')
  }

  start (): void {
    const pubsub = this.c.libp2p.services.pubsub
    pubsub.topicValidators.set(this.topic, async (_peer, msg) => {
      try {
        const a = await decodeAnnouncement(msg.data)
        if (Math.abs(Date.now() - a.at) > ANNOUNCE_MAX_SKEW_MS) return TopicValidatorResult.Ignore
        this.validated.set(msg.data, a)
        return TopicValidatorResult.Accept
      } catch (err) {
        this.c.log('rejecting announcement: %s', (err as Error).message)
        return TopicValidatorResult.Reject
      }
    })
    pubsub.addEventListener('message', this.onMessage)
    pubsub.subscribe(this.topic)
    // what was already here was offered by earlier runs or is covered by sync
    this.c.library.db.exec(`INSERT OR IGNORE INTO mesh_announced (cid, at)
      SELECT cid, 0 FROM artifacts WHERE source_peer IS NULL AND shareable = 1 AND status = 'trusted'`)
    this.unhookPut = this.c.library.onPut(a => { if (a.sourcePeer == null) queueMicrotask(() => { void this.checkLocal() }) })
    if (this.init.watchIntervalMs > 0) {
      this.timer = setInterval(() => { void this.checkLocal() }, this.init.watchIntervalMs)
      this.timer.unref()
    }
  }

  stop (): void {
    clearInterval(this.timer)
    this.unhookPut?.()
    const pubsub = this.c.libp2p.services.pubsub
    pubsub.removeEventListener('message', this.onMessage)
    pubsub.topicValidators.delete(this.topic)
    try { pubsub.unsubscribe(this.topic) } catch { /* already stopped */ }
  }

  /** Publishes an announcement for `artifact`. No subscribed peer is not an error. */
  async announce (artifact: SignedArtifact): Promise<AnnounceResult> {
    const cid = artifact.cid.toString()
    const addrs = this.c.libp2p.getMultiaddrs().map(m => m.toString())
    const bytes = await encodeAnnouncement(announcementFor(artifact, this.c.privateKey, addrs), this.c.privateKey)
    this.c.library.db.prepare('INSERT OR REPLACE INTO mesh_announced (cid, at) VALUES (?, ?)').run(cid, Date.now())
    try {
      const r = await this.c.libp2p.services.pubsub.publish(this.topic, bytes)
      this.c.log('announced %s to %d peers', cid, r.recipients.length)
      return { cid, recipients: r.recipients.length }
    } catch (err) {
      if (String((err as Error).message).includes('NoPeersSubscribedToTopic')) {
        this.c.log('announced %s to nobody: no peer subscribes to %s yet (sync will offer it)', cid, this.topic)
        return { cid, recipients: 0 }
      }
      throw err
    }
  }

  /** Announces local, trusted, shareable artifacts not announced yet. */
  async checkLocal (): Promise<void> {
    if (this.checking) return
    this.checking = true
    try {
      const rows = this.c.library.db.prepare(`SELECT cid FROM artifacts a WHERE source_peer IS NULL AND shareable = 1
        AND status = 'trusted' AND NOT EXISTS (SELECT 1 FROM mesh_announced m WHERE m.cid = a.cid) LIMIT 64`).all() as Array<{ cid: string }>
      for (const { cid } of rows) {
        const a = this.c.library.get(cid)
        if (a != null) await this.announce(a)
      }
    } catch (err) {
      this.c.log.error('announcing local artifacts failed: %e', err)
    } finally {
      this.checking = false
    }
  }

  private async receive (msg: Message): Promise<void> {
    if (msg.topic !== this.topic) return
    try {
      const a = this.validated.get(msg.data) ?? await decodeAnnouncement(msg.data)
      if (a.node === this.c.libp2p.peerId.toString()) return
      this.c.log.trace('announcement of %s %s from %s', a.kind, a.cid, a.node)
      this.init.onAnnouncement(a)
    } catch (err) {
      this.c.log('ignoring announcement: %s', (err as Error).message)
    }
  }
}
