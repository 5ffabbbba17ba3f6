/** Public types of the Mesh component: its init slice, components, events and results. */
import type { Admission, AdmitResult, Library } from '../library/index.ts'
import type { Announcement } from './announce.ts'
import type { FetchProgressEvent, FetchResult } from './artifact-fetcher.ts'
import type { ServedEvent } from './fetch-server.ts'
import type { FetchPolicy } from './policy.ts'
import type { SyncResult } from './sync-protocol.ts'
import type { ComponentLogger, PrivateKey } from '@libp2p/interface'
import type { Libp2pSettings } from './libp2p-node.ts'

/** A mesh's settings: its network and fetch behaviour, and the libp2p settings it passes on. */
export interface MeshInit extends Libp2pSettings {
  network?: string
  listen?: string[]
  policy?: FetchPolicy
  /** Fetch what announcements and syncs offer (default true). */
  autoFetch?: boolean
  /** Reconcile with every peer that connects (default true). */
  syncOnConnect?: boolean
  /** Reconcile with one random peer this often; 0 = never (default 60 s). */
  syncIntervalMs?: number
  /** Look for artifacts added by other processes this often; 0 = never (default 2 s). */
  watchIntervalMs?: number
  perPeerConcurrency?: number
  serveConcurrency?: number
  serveBytesPerSecond?: number
  /** Test hook: alter served bytes (a misbehaving peer). */
  serveTransform?: (cid: string, bytes: Uint8Array) => Uint8Array
}

export interface MeshComponents {
  privateKey: PrivateKey
  library: Library
  logger?: ComponentLogger
  /** The trust pipeline (`createTrust(…).admission`): every received artifact goes through it. */
  admission: Admission
}

export interface PeerSummary {
  peer: string
  addrs: string[]
  direction: 'inbound' | 'outbound'
  streams: number
}

export interface SyncWithResult extends SyncResult {
  fetched: FetchResult[]
  failed: Array<{ cid: string, error: string }>
}

export interface MeshEvents {
  'peer:discovered': { peer: string, addrs: string[] }
  'peer:connected': { peer: string }
  'peer:disconnected': { peer: string }
  /** Seen, but the handshake failed: a private network this node has no key for, or another key. */
  'peer:refused': { peer: string, reason: string }
  'announcement': Announcement
  'sync:done': SyncResult
  'artifact:quarantined': AdmitResult
  'artifact:admitted': AdmitResult
  'artifact:rejected': AdmitResult
  'fetch:progress': FetchProgressEvent
  'fetch:served': ServedEvent
}
