/**
 * Mesh: how Baobab nodes find each other and exchange artifacts. libp2p 3 (TCP, Noise, Yamux,
 * identify, ping, gossipsub; mDNS and bootstrap discovery; optional private network), gossip
 * announcements, `/baobab/sync/1` set reconciliation, `/baobab/fetch/2` verified, resumable,
 * multi-peer transfer, CAR export/import, and the admission door every received artifact uses.
 *
 * @example
 * ```ts
 * const trust = createTrust({ library, privateKey: identity.privateKey }, { policy: config.policy })
 * const mesh = createMesh({ privateKey: identity.privateKey, library, admission: trust.admission }, meshInitFromConfig(config))
 * mesh.on('artifact:admitted', a => console.log('got', a.kind, a.cid))
 * await mesh.start()
 * await mesh.syncWith('/ip4/192.168.1.20/tcp/4001/p2p/12D3Koo…')
 * await mesh.stop()
 * ```
 */
export { Mesh, createMesh } from './mesh.ts'
export type { MeshComponents, MeshEvents, MeshInit, PeerSummary, SyncWithResult } from './types.ts'
export type { KnownPeer } from './peer-book.ts'
export { PeerBook } from './peer-book.ts'
export type { Admission, AdmissionSource, AdmitOptions, AdmitResult } from '../library/index.ts'
export type { Announcement } from './announce.ts'
export type { AnnounceResult } from './announcer.ts'
export type { FetchOptions, FetchProgressEvent, FetchResult } from './artifact-fetcher.ts'
export type { ChunkFetchResult } from './chunk-fetcher.ts'
export type { ServedEvent } from './fetch-server.ts'
export type { SyncResult } from './sync-protocol.ts'
export type { FetchPolicy } from './policy.ts'
export { exportCar, importCar } from './car.ts'
export type { ExportOptions, ExportResult, ImportOptions, ImportResult } from './car.ts'
export { readNetworkKey, validateNetworkKey, writeNetworkKey } from './network-key.ts'
export { meshInitFromConfig, networkKeyOf } from './from-config.ts'
export { announceTopic } from './constants.ts'
export {
  ChunkVerificationError, HandshakeRefusedError, InvalidCarError, FetchFailedError, FetchRefusedError, InvalidMeshConfigError,
  InvalidMultiaddrError, InvalidNetworkKeyError, InvalidSyncMessageError, MeshError, MeshNotStartedError,
  MissingChunksError, ProtocolViolationError, SyncRoundsExceededError
} from './errors.ts'

export type { GossipScoringOptions } from './libp2p-node.ts'
