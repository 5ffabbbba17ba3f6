/**
 * The adversarial scenario's nodes, each built by the product's own `createNode` from a config
 * like `baobab start` reads: its own home (key, SQLite library, blobs), libp2p on TCP loopback,
 * the trust pipeline as its admission. Honest nodes run the `community` policy; "canary" nodes
 * run the tiny GGUF as a llama runtime (so createNode wires the adapter canary) and hold the
 * recall evaluation's data (so it wires outcome reproduction) and a small task set (the
 * experience A/B check); the others run the retrieval runtime, as a node without a model does.
 * Attackers are product nodes too (policy `open`): what they serve is what they put in their
 * own libraries.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { CODE_P2P, multiaddr } from '@multiformats/multiaddr'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { createNode } from '../../src/node/index.ts'
import { TINY_MODEL, tempDir } from '../trust/helpers.ts'
import type { NodeConfig } from '../../src/config.ts'
import type { BaobabNode } from '../../src/node/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export const NETWORK = 'adversarial'

export interface AdvNode {
  i: number
  honest: boolean
  /** Runs a local model: canary, A/B check and reproduction. */
  canary: boolean
  home: string
  node: BaobabNode
  key: PrivateKey
  peer: string
}

export interface NodeSetup {
  /** Recall evaluation data folder (test/helpers/recall-data.ts) for the canary nodes. */
  evalData: string
  /** A JSONL task file for the canary nodes' experience A/B check (none: lessons pass on their screens). */
  tasks?: string
}

/** Two held-out arithmetic tasks for the A/B check (the tiny random model answers neither: Δ 0). */
export function writeAbTasks (dir: string): string {
  const file = join(dir, 'ab-tasks.jsonl')
  writeFileSync(file, [{ id: 't1', question: 'What is 12 + 30?', answer: '42', split: 'test' }, { id: 't2', question: 'What is 7 + 8?', answer: '15', split: 'test' }]
    .map(t => JSON.stringify(t)).join('\n') + '\n')
  return file
}

export function nodeConfig (kind: 'honest' | 'canary' | 'attacker', setup?: NodeSetup): NodeConfig {
  const base: NodeConfig = { ...structuredClone(DEFAULT_CONFIG), network: NETWORK, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false }
  if (kind === 'attacker') return { ...base, policy: 'open' }
  if (kind === 'honest' || setup == null) return base
  return {
    ...base,
    runtime: { kind: 'llama', model: TINY_MODEL, contextSize: 256, poolSize: 2 },
    checks: { evalData: setup.evalData, ...(setup.tasks != null ? { tasks: setup.tasks, grader: 'exact' } : {}) }
  }
}

/** A node as `baobab start` builds it (no periodic sync or watch: the scenario drives sync rounds). */
export async function startNode (i: number, kind: 'honest' | 'canary' | 'attacker', setup?: NodeSetup): Promise<AdvNode> {
  const home = tempDir('baobab-adv-')
  const node = await createNode({ home, config: nodeConfig(kind, setup), meshInit: { syncIntervalMs: 0, watchIntervalMs: 0 } })
  await node.start()
  return { i, honest: kind !== 'attacker', canary: kind === 'canary', home, node, key: node.identity.privateKey, peer: node.peerId }
}

export function mesh (n: AdvNode): NonNullable<BaobabNode['mesh']> {
  if (n.node.mesh == null) throw new Error(`node ${n.i} has no mesh`)
  return n.node.mesh
}

/** Dials a chain plus node 0, and tells every node every address (as mDNS does on a LAN). */
export async function connect (nodes: AdvNode[]): Promise<void> {
  for (const n of nodes.slice(1)) {
    // a handshake can time out on a loaded machine: up to three tries, then the chain and sync rounds dial again
    for (let attempt = 0; attempt < 3; attempt++) {
      const ok = await mesh(n).dial(mesh(nodes[0]!).multiaddrs()[0]!).then(() => true, () => false)
      if (ok) break
    }
    await mesh(n).dial(mesh(nodes[n.i - 1]!).multiaddrs()[0]!).catch(() => {})
  }
  for (const n of nodes) {
    for (const o of nodes) {
      if (o !== n) await mesh(n).libp2p.peerStore.merge(peerIdFromString(o.peer), { multiaddrs: mesh(o).multiaddrs().map(a => multiaddr(a).decapsulateCode(CODE_P2P)) })
    }
  }
}

export async function stopNode (n: AdvNode): Promise<void> {
  await n.node.stop().catch(() => {})
  rmSync(n.home, { recursive: true, force: true })
}
