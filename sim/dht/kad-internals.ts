/**
 * The real @libp2p/kad-dht code the simulator runs: its QueryManager (disjoint paths, α
 * concurrency, the queryPath walk with its PeerDistanceList termination rule), its KBucket (used
 * to check the simulator's routing tables), its query events and its wire messages (for byte
 * counts). These modules are not in the package's `exports`, so they are loaded by file URL next
 * to the package entry point; the shapes below are the parts used here.
 */
import type { PeerInfo, PeerId } from '@libp2p/interface'
import type { QueryEvent } from '@libp2p/kad-dht'

export interface QueryContext {
  key: Uint8Array
  peer: PeerInfo
  peerKadId: Uint8Array
  signal?: AbortSignal
  path: { index: number, queued: number, running: number, total: number }
  numPaths: number
}

export type QueryFunc = (context: QueryContext) => AsyncIterable<QueryEvent>

export interface SimRoutingTable {
  size: number
  kBucketSize: number
  closestPeers(kadId: Uint8Array, options?: { count?: number }): PeerId[]
  queueRoutingTableUpdate(peer: PeerId): void
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

export interface QueryManagerLike {
  start(): Promise<void>
  stop(): Promise<void>
  run(key: Uint8Array, query: QueryFunc, options: { signal: AbortSignal }): AsyncGenerator<QueryEvent>
}

export interface QueryManagerCtor {
  new (components: Record<string, unknown>, init: Record<string, unknown>): QueryManagerLike
}

export interface KBucketLike {
  start(): Promise<void>
  add(peerId: PeerId): Promise<void>
  closest(kadId: Uint8Array, options?: { count?: number }): Iterable<PeerId>
  count(): number
}

export interface KBucketCtor {
  new (components: { peerId: PeerId }, options: Record<string, unknown>): KBucketLike
}

export interface KadInternals {
  QueryManager: QueryManagerCtor
  KBucket: KBucketCtor
  /** k (bucket size and lookup width) and α (concurrency) defaults of the installed kad-dht. */
  K: number
  ALPHA: number
  PREFIX_LENGTH: number
  peerResponseEvent(fields: Record<string, unknown>): QueryEvent
  sendQueryEvent(fields: Record<string, unknown>): QueryEvent
  valueEvent(fields: Record<string, unknown>): QueryEvent
  /** Protobuf encoding of a kad-dht RPC message. */
  encodeMessage(message: Record<string, unknown>): Uint8Array
  MessageType: Record<string, string>
  version: string
}

let cached: KadInternals | undefined

export async function loadKadInternals (): Promise<KadInternals> {
  if (cached != null) return cached
  const entry = import.meta.resolve('@libp2p/kad-dht')
  const load = async (rel: string): Promise<Record<string, unknown>> => await import(new URL(rel, entry).href) as Record<string, unknown>
  const [manager, bucket, table, constants, events, message, pkg] = await Promise.all([
    load('./query/manager.js'), load('./routing-table/k-bucket.js'), load('./routing-table/index.js'),
    load('./constants.js'), load('./query/events.js'), load('./message/dht.js'),
    import(new URL('../../package.json', entry).href, { with: { type: 'json' } }) as Promise<{ default: { version: string } }>
  ])
  const Message = message.Message as { encode(m: Record<string, unknown>): Uint8Array }
  cached = {
    QueryManager: manager.QueryManager as QueryManagerCtor,
    KBucket: bucket.KBucket as KBucketCtor,
    K: constants.K as number,
    ALPHA: constants.ALPHA as number,
    PREFIX_LENGTH: table.PREFIX_LENGTH as number,
    peerResponseEvent: events.peerResponseEvent as KadInternals['peerResponseEvent'],
    sendQueryEvent: events.sendQueryEvent as KadInternals['sendQueryEvent'],
    valueEvent: events.valueEvent as KadInternals['valueEvent'],
    encodeMessage: (m) => Message.encode(m),
    MessageType: message.MessageType as Record<string, string>,
    version: pkg.default.version
  }
  return cached
}
