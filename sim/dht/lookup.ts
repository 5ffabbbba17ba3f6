/**
 * One lookup through kad-dht's own QueryManager: the simulator only supplies the routing table of
 * the querying node and the remote end of each RPC (who answers, after how long, with which closer
 * peers and whether it holds the record). Hops are the depth at which a peer was first learned:
 * peers from the querier's own table are hop 1, peers returned by a hop-h peer are hop h+1.
 */
import { Record as DhtRecord } from '@libp2p/kad-dht'
import { defaultLogger } from '@libp2p/logger'
import type { Rng } from '../rng.ts'
import type { VirtualClock } from './clock.ts'
import type { KadInternals, QueryContext, SimRoutingTable } from './kad-internals.ts'
import type { SimNetwork } from './network.ts'
import type { QueryEvent } from '@libp2p/kad-dht'

export interface LinkModel {
  /** Median round trip of one RPC (log-normal). */
  rttMs: number
  sigma: number
  /** Time until a dial to an offline peer fails. */
  offlineTimeoutMs: number
}

export interface LookupInit {
  kad: KadInternals
  net: SimNetwork
  clock: VirtualClock
  link: LinkModel
  rng: Rng
  alpha: number
  disjointPaths: number
}

export interface LookupResult {
  /** Messages sent (RPCs attempted, offline peers included). */
  messages: number
  /** Request + response bytes of the kad-dht protobuf messages (transport framing excluded). */
  bytes: number
  /** Simulated time until the query ended. */
  durationMs: number
  /** Responding peers, nearest first (what getClosestPeers turns into FINAL_PEER events). */
  closest: number[]
  /** GET only: first value. */
  found: boolean
  hopsToValue: number
  msToValue: number
  maxHops: number
  failedRpcs: number
}

const ADDR = Uint8Array.from([0x04, 10, 0, 0, 1, 0x06, 0x0f, 0xa1]) // /ip4/10.0.0.1/tcp/4001

export async function lookup (
  init: LookupInit, from: number, key: Uint8Array, kadKey: Uint8Array, holders: Set<number> | undefined, record: Uint8Array | undefined
): Promise<LookupResult> {
  const { kad, net, clock, link, rng } = init
  const self = net.peerId(from)
  const table: SimRoutingTable = {
    size: net.tableSize(from),
    kBucketSize: net.k,
    closestPeers: (kadId, options) => net.closest(from, kadId, options?.count ?? net.k).map(i => net.peerId(i)),
    queueRoutingTableUpdate: () => {},
    addEventListener: () => {},
    removeEventListener: () => {}
  }
  const manager = new kad.QueryManager(
    { peerId: self, logger: defaultLogger(), connectionManager: { isDialable: async () => true } },
    { logPrefix: 'sim:kad', disjointPaths: init.disjointPaths, alpha: init.alpha, routingTable: table }
  )
  await manager.start()
  const type = holders != null ? 'GET_VALUE' : 'FIND_NODE'
  const depth = new Map<number, number>()
  for (const i of net.closest(from, kadKey, net.k)) depth.set(i, 1)
  const start = clock.now
  const res: LookupResult = { messages: 0, bytes: 0, durationMs: 0, closest: [], found: false, hopsToValue: 0, msToValue: 0, maxHops: 0, failedRpcs: 0 }
  const responded: number[] = []
  const request = kad.encodeMessage({ type: kad.MessageType[type], key, closer: [], providers: [] }).length
  const valueRecord = record != null ? new DhtRecord(key, record, new Date(0)).serialize() : undefined

  const query = async function * (ctx: QueryContext): AsyncGenerator<QueryEvent> {
    const to = net.indexOf(ctx.peer.id)
    const h = depth.get(to) ?? 1
    res.messages++
    res.bytes += request + 1
    yield kad.sendQueryEvent({ to: ctx.peer.id, type, path: ctx.path })
    if (net.online[to] !== 1) {
      await clock.sleep(link.offlineTimeoutMs)
      res.failedRpcs++
      throw new Error('dial timed out (peer offline)')
    }
    await clock.sleep(rng.logNormal(link.rttMs, link.sigma))
    const closerIdx = net.closest(to, kadKey, net.k).filter(c => c !== from)
    for (const c of closerIdx) if (!depth.has(c)) depth.set(c, h + 1)
    const has = holders?.has(to) === true
    const closer = closerIdx.map(c => ({ id: net.peerId(c), multiaddrs: [] }))
    res.bytes += kad.encodeMessage({
      type: kad.MessageType[type], key,
      closer: closerIdx.map(c => ({ id: net.peerId(c).toMultihash().bytes, multiaddrs: [ADDR] })),
      providers: [],
      ...(has && valueRecord != null ? { record: valueRecord } : {})
    }).length + 2
    res.maxHops = Math.max(res.maxHops, h)
    responded.push(to)
    if (has && !res.found) {
      res.found = true
      res.hopsToValue = h
      res.msToValue = clock.now - start
    }
    yield kad.peerResponseEvent({ from: ctx.peer.id, messageType: type, closer, providers: [], path: ctx.path })
  }

  const signal = new AbortController().signal
  for await (const _ of manager.run(key, query, { signal })) { /* events are counted in the query function */ }
  await manager.stop()
  res.durationMs = clock.now - start
  res.closest = [...new Set(responded)].sort((a, b) => compare(net.kadIds[a]!, net.kadIds[b]!, kadKey)).slice(0, net.k)
  return res
}

function compare (a: Uint8Array, b: Uint8Array, key: Uint8Array): number {
  for (let i = 0; i < key.length; i++) {
    const x = a[i]! ^ key[i]!
    const y = b[i]! ^ key[i]!
    if (x !== y) return x - y
  }
  return 0
}

