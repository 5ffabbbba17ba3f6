/**
 * In-process Baobab DHT nodes for the outcome tests: real libp2p nodes on 127.0.0.1 TCP with
 * kad-dht (Baobab's protocol prefix and the outcome validator/selector), identify and ping, each
 * with its own SQLite library and OutcomeService.
 *
 * Packets are fetched with a tiny request/response protocol served from each node's library: the
 * mesh node factory does not carry kad-dht yet, so these tests cannot run over the mesh's fetch.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { kadDHT } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { openLibrary } from '../../../src/library/index.ts'
import { OutcomeRecordStore, createOutcomeService, outcomeKadDhtInit } from '../../../src/outcomes/index.ts'
import { createTrust } from '../../../src/trust/index.ts'
import { hashEmbedder } from '../../../src/embedding/index.ts'
import type { Library } from '../../../src/library/index.ts'
import type { OutcomeService, OutcomeServiceInit } from '../../../src/outcomes/index.ts'
import type { Embedder } from '../../../src/embedding/index.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'

export const PACKET_PROTOCOL = '/baobab-test/outcome-packet/1'

export type DhtLibp2p = Libp2p<{ dht: KadDHT, identify: unknown, ping: unknown }>

export interface TestNode {
  libp2p: DhtLibp2p
  library: Library
  privateKey: PrivateKey
  outcomes: OutcomeService
  home: string
}

async function readAll (stream: AsyncIterable<{ subarray: () => Uint8Array }>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of stream) parts.push(chunk.subarray())
  return new Uint8Array(Buffer.concat(parts))
}

/** Serves outcome and reproduction artifacts from `library` by CID. */
function servePackets (node: DhtLibp2p, library: Library): Promise<void> {
  return node.handle(PACKET_PROTOCOL, async (stream) => {
    const cid = new TextDecoder().decode(await readAll(stream))
    const a = library.get(cid)
    if (a != null && (a.kind === 'outcome' || a.kind === 'reproduction') && a.shareable) stream.send(a.bytes)
    await stream.close()
  })
}

/** Fetches packet bytes from the first provider that has them. */
export function packetFetcher (node: DhtLibp2p): NonNullable<OutcomeServiceInit['fetchPacket']> {
  return async (cid, options) => {
    for (const p of options.providers ?? []) {
      try {
        const stream = await node.dialProtocol(peerIdFromString(p), PACKET_PROTOCOL, { signal: options.signal })
        stream.send(new TextEncoder().encode(cid))
        await stream.close()
        const bytes = await readAll(stream)
        if (bytes.length > 0) return bytes
      } catch {
        // try the next provider
      }
    }
    return undefined
  }
}

export interface NodesOptions {
  embedder?: Embedder
  service?: Partial<OutcomeServiceInit>
}

export async function createTestNode (options: NodesOptions = {}): Promise<TestNode> {
  const home = mkdtempSync(join(tmpdir(), 'baobab-outcomes-'))
  const privateKey = await generateKeyPair('Ed25519')
  const libp2p = await createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    // replicas merge outcome records, as in the product (createNode)
    datastore: new OutcomeRecordStore(),
    services: { identify: identify(), ping: ping(), dht: kadDHT(outcomeKadDhtInit({ lan: true })) }
  }) as unknown as DhtLibp2p
  const library = openLibrary({ home })
  await servePackets(libp2p, library)
  const outcomes = createOutcomeService({
    library,
    privateKey,
    embedder: options.embedder ?? hashEmbedder(),
    dht: libp2p.services.dht,
    fetchPacket: packetFetcher(libp2p),
    // what the DHT lists is admitted through the trust pipeline, as in the product
    admission: createTrust({ library, privateKey }).admission,
    network: {
      peers: () => libp2p.getPeers().length,
      onPeer: listener => {
        libp2p.addEventListener('peer:connect', listener)
        return () => { libp2p.removeEventListener('peer:connect', listener) }
      }
    },
    republishMs: 0,
    // these tests check what the network finds, not how fast: on a loaded machine 5 s is too short
    networkMs: 60_000,
    ...options.service
  })
  outcomes.start()
  return { libp2p, library, privateKey, outcomes, home }
}

/** Resolves when the node's routing table holds `min` peers; fails after `ms`. */
async function waitForPeers (node: DhtLibp2p, min: number, ms = 60_000): Promise<void> {
  const rt = (node.services.dht as unknown as { routingTable: EventTarget & { size: number } }).routingTable
  if (rt.size >= min) return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      rt.removeEventListener('peer:add', check)
      reject(new Error(`routing table of ${node.peerId.toString()} holds ${rt.size} peers after ${ms} ms, wanted ${min}`))
    }, ms)
    const check = (): void => {
      if (rt.size < min) return
      clearTimeout(timer)
      rt.removeEventListener('peer:add', check)
      resolve()
    }
    rt.addEventListener('peer:add', check)
  })
}

/** `n` connected DHT nodes: each dials node 0 and its predecessor; resolves when routing tables hold them. */
export async function createTestNodes (n: number, options: NodesOptions = {}): Promise<TestNode[]> {
  const nodes = await Promise.all(Array.from({ length: n }, async () => createTestNode(options)))
  await Promise.all(nodes.slice(1).map(async (node, j) => {
    await node.libp2p.dial(nodes[0]!.libp2p.getMultiaddrs()[0]!)
    if (j > 0) await node.libp2p.dial(nodes[j]!.libp2p.getMultiaddrs()[0]!)
  }))
  await Promise.all(nodes.map(async node => waitForPeers(node.libp2p, 1)))
  return nodes
}

export async function stopTestNodes (nodes: TestNode[]): Promise<void> {
  await Promise.all(nodes.map(async n => {
    n.outcomes.stop()
    await n.libp2p.stop()
    n.library.close()
    rmSync(n.home, { recursive: true, force: true })
  }))
}
