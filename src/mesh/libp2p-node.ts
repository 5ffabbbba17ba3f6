/**
 * The libp2p node a Baobab mesh runs on: TCP (+ memory for in-process tests), Noise, Yamux,
 * identify, ping, gossipsub; mDNS, bootstrap; optional pre-shared key; relay/autonat/dcutr
 * only when asked for (internet use).
 */
import { autoNAT } from '@libp2p/autonat'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { memory } from '@libp2p/memory'
import { noise } from '@libp2p/noise'
import { preSharedKey } from '@libp2p/pnet'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { DEFAULT_MAX_CONNECTIONS, LOOPBACK_ALLOW } from './constants.ts'
import { InvalidMeshConfigError, InvalidMultiaddrError } from './errors.ts'
import { noiseCrypto } from './noise-crypto.ts'
import type { KadDHT, KadDHTInit } from '@libp2p/kad-dht'
import type { Datastore } from 'interface-datastore'
import type { GossipSub, GossipsubOpts } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Libp2pOptions } from 'libp2p'

type Transports = NonNullable<Libp2pOptions['transports']>
type Discovery = NonNullable<Libp2pOptions['peerDiscovery']>
type Services = NonNullable<Libp2pOptions['services']>

export interface MeshServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
  dht?: KadDHT
}

export type MeshLibp2p = Libp2p<MeshServices>

/** The libp2p settings a mesh passes through to its node unchanged (part of `MeshInit`). */
export interface Libp2pSettings {
  bootstrap?: string[]
  mdns?: boolean
  mdnsInterval?: number
  /** Pre-shared key file text (`/key/swarm/psk/1.0.0/…`) for a private network. */
  psk?: string
  relay?: boolean
  maxConnections?: number
  /** How long one address dial (socket + handshake) may take (default 6 s). */
  dialTimeoutMs?: number
  /** Adds a kad-dht service (`services.dht`) with these options, e.g. the outcome records' validators. */
  dht?: KadDHTInit
  /** Where libp2p and its DHT keep their data (default: libp2p's in-memory store), e.g. one that merges outcome records. */
  datastore?: Datastore
  /** Gossipsub peer scoring (the trust layer's `gossip()` parameters); default: no IP-colocation penalty only. */
  gossipScoring?: GossipScoringOptions
}

export interface Libp2pNodeInit extends Libp2pSettings {
  privateKey: PrivateKey
  logger: ComponentLogger
  /** Listen multiaddrs; `/memory/<name>` adds the in-process transport. */
  listen: string[]
  /** Milliseconds before bootstrap peers are dialled (default 100). */
  bootstrapDelay?: number
}

export type GossipScoringOptions = Pick<GossipsubOpts, 'scoreParams' | 'scoreThresholds' | 'allowedTopics'>

/** Checks every multiaddr before libp2p sees it, so a typo is a named error. */
export function parseMultiaddrs (list: string[]): void {
  for (const a of list) {
    try {
      multiaddr(a)
    } catch (err) {
      throw new InvalidMultiaddrError(a, { cause: err })
    }
  }
}

export async function createLibp2pNode (init: Libp2pNodeInit): Promise<MeshLibp2p> {
  parseMultiaddrs(init.listen)
  parseMultiaddrs(init.bootstrap ?? [])
  const maxConnections = init.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new InvalidMeshConfigError('maxConnections', 'must be a positive integer')
  for (const b of init.bootstrap ?? []) {
    if (!b.includes('/p2p/')) throw new InvalidMultiaddrError(b, { cause: new Error('bootstrap addresses must end in /p2p/<peerId>') })
  }

  const transports: Transports = [tcp()]
  if (init.listen.some(a => a.startsWith('/memory/')) || (init.bootstrap ?? []).some(a => a.startsWith('/memory/'))) transports.push(memory())
  const listen = [...init.listen]
  if (init.relay === true) {
    transports.push(circuitRelayTransport())
    listen.push('/p2p-circuit')
  }

  const peerDiscovery: Discovery = []
  if ((init.bootstrap ?? []).length > 0) peerDiscovery.push(bootstrap({ list: init.bootstrap ?? [], timeout: init.bootstrapDelay ?? 100 }))
  if (init.mdns === true) peerDiscovery.push(mdns({ interval: init.mdnsInterval ?? 10_000 }))

  const services: Services = {
    identify: identify(),
    ping: ping(),
    pubsub: gossipsub({
      // on one machine or a LAN many peers share an IP: do not score them down for it
      scoreParams: { IPColocationFactorWeight: 0 },
      ...init.gossipScoring,
      allowPublishToZeroTopicPeers: false,
      floodPublish: true,
      emitSelf: false
    })
  }
  // kad-dht declares the narrower components it uses; libp2p supplies them at start
  if (init.dht != null) services.dht = kadDHT(init.dht) as unknown as Services[string]
  if (init.relay === true) {
    services.relay = circuitRelayServer()
    services.autonat = autoNAT()
    services.dcutr = dcutr()
  }

  const node = await createLibp2p({
    privateKey: init.privateKey,
    logger: init.logger,
    start: false,
    addresses: { listen },
    transports,
    connectionEncrypters: [noise({ crypto: noiseCrypto })],
    streamMuxers: [yamux()],
    connectionProtector: init.psk != null ? preSharedKey({ psk: new TextEncoder().encode(init.psk) }) : undefined,
    connectionManager: {
      maxConnections,
      allow: LOOPBACK_ALLOW,
      ...(init.dialTimeoutMs != null ? { addressDialTimeout: init.dialTimeoutMs, dialTimeout: Math.max(init.dialTimeoutMs, 1000) } : {})
    },
    peerDiscovery,
    services,
    ...(init.datastore != null ? { datastore: init.datastore } : {})
  })
  return node as unknown as MeshLibp2p
}
