/**
 * CPU cost of one announcement through the whole stack, measured on real libp2p nodes built the
 * way the product builds them (`startNode` of the mesh bench: TCP on 127.0.0.1, Noise, yamux,
 * gossipsub with flood publishing, the mesh's announcement validator), all in this process.
 *
 * Three shapes, each publishing `publications` announcements from node 0, one after another:
 * - pair: 0–1; every publication is one first delivery;
 * - star: 0 connected to `fanout` leaves; `fanout` first deliveries, no forwarding;
 * - clique: `fanout + 1` nodes all connected; the leaves forward to each other, so duplicates.
 * process.cpuUsage (all threads: Noise, yamux, gossipsub's signature checks, the validator, GC)
 * per publication, less the same nodes' idle CPU (heartbeats) over the same time, solves for the
 * cost of a publication, of a first delivery (its sender's copy included) and of a duplicate.
 * Deliveries are counted where gossipsub hands each received RPC to its handler.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createArtifact } from '../src/artifacts/index.ts'
import { startNode, stopAll } from '../bench/_mesh-common.ts'
import type { SignedArtifact } from '../src/artifacts/index.ts'
import type { Node } from '../bench/_mesh-common.ts'
import type { PrivateKey } from '@libp2p/interface'

export interface StackCost {
  /** CPU ms at the publisher per publication (announcement and gossipsub signatures, bookkeeping). */
  publishMs: number
  /** CPU ms per first delivery: the sender's copy (encode, Noise, yamux) and the receiver's decrypt, decode, both signature checks, dispatch. */
  firstMs: number
  /** CPU ms per duplicate delivery: copy sent, decrypted, decoded and signature-checked, then dropped as seen. */
  duplicateMs: number
  /** Idle CPU ms per node per second (heartbeats, no traffic; the star and the clique, the process's own share included). */
  idleMsPerNodeS: number
  /** Per shape and round: CPU ms per publication and deliveries counted. */
  runs: Array<{
    shape: string, round: number, cpuMsPerPublication: number, firstPerPublication: number, duplicatesPerPublication: number, idleMsPerNodeS: number
  }>
  /** How the rounds were combined. */
  aggregate: 'median'
  publications: number
  fanout: number
}

export interface Counts { messages: number, control: number, ihave: number }
type RpcHandler = (from: unknown, rpc: { messages?: unknown[], control?: Record<string, unknown[] | undefined> }) => Promise<void>

export const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
export const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]! }

/** Counts every message and control entry `node`'s gossipsub receives; `onIhave` hears each IHAVE. */
export function countRpcs (node: Node, counts: Counts, onIhave?: () => void): void {
  const ps = node.mesh.libp2p.services.pubsub as unknown as { handleReceivedRpc: RpcHandler }
  const handle = ps.handleReceivedRpc.bind(ps)
  ps.handleReceivedRpc = async (from, rpc) => {
    counts.messages += rpc.messages?.length ?? 0
    for (const v of Object.values(rpc.control ?? {})) counts.control += v?.length ?? 0
    const ihave = rpc.control?.ihave?.length ?? 0
    counts.ihave += ihave
    if (ihave > 0) onIhave?.()
    return handle(from, rpc)
  }
}

export async function waitFor (pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end) return false
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return true
}

interface ShapeCost { cpu: number, first: number, dup: number, idle: number }

async function shape (edges: Array<[number, number]>, size: number, arts: SignedArtifact[]): Promise<ShapeCost> {
  const nodes: Node[] = []
  for (let i = 0; i < size; i++) nodes.push(await startNode())
  try {
    for (const [a, b] of edges) await nodes[a]!.mesh.dial(nodes[b]!.mesh.multiaddrs()[0] as string)
    const degree = (i: number): number => edges.filter(e => e.includes(i)).length
    const topic = nodes[0]!.mesh.libp2p.services.pubsub.getTopics()[0]!
    // gossipsub grafts mesh peers at its heartbeat (1 s): wait until every node meshes with all its peers
    const meshPeers = (x: Node): number => (x.mesh.libp2p.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(topic).length
    await waitFor(() => nodes.every((x, i) => meshPeers(x) >= Math.min(degree(i), 4)), 10_000)
    const counts: Counts = { messages: 0, control: 0, ihave: 0 }
    for (const x of nodes) countRpcs(x, counts)
    // idle: heartbeats only
    const idleWallMs = 1500
    const i0 = cpuMs()
    await new Promise(resolve => setTimeout(resolve, idleWallMs))
    const idleRate = (cpuMs() - i0) / idleWallMs
    let got = 0
    const offs = nodes.slice(1).map(x => x.mesh.on('announcement', () => { got++ }))
    const t0 = performance.now()
    const c0 = cpuMs()
    for (let k = 0; k < arts.length; k++) {
      await nodes[0]!.mesh.announce(arts[k]!)
      await waitFor(() => got >= (k + 1) * (size - 1), 5000)
    }
    await new Promise(resolve => setTimeout(resolve, 100)) // late duplicates
    const cpu = cpuMs() - c0 - idleRate * (performance.now() - t0)
    for (const off of offs) off()
    const first = got
    return { cpu: cpu / arts.length, first: first / arts.length, dup: (counts.messages - first) / arts.length, idle: idleRate * 1000 / size }
  } finally {
    await stopAll(nodes)
  }
}

export async function outcomeArtifacts (key: PrivateKey, count: number, seed: number): Promise<SignedArtifact[]> {
  const out: SignedArtifact[] = []
  for (let i = 0; i < count; i++) {
    const score = 0.5 + ((seed + i) % 997) / 10_000
    out.push(await createArtifact('outcome', {
      family: 'llama', task: `task ${seed + i}`, tags: ['sim'], dataScale: 's', benchmark: 'acc',
      baseline: 0.5, score, delta: score - 0.5, method: 'lora', params: { r: 4 }, heldOut: true, nEval: 100, confidence: 0.9
    }, key, { created: 1_700_000_000_000 + seed + i }))
  }
  return out
}

/** Measures the stack's per-message CPU `rounds` times per shape (interleaved) and combines each shape's rounds by their median. */
export async function measureStackCost (options: { rounds?: number, publications?: number, fanout?: number } = {}): Promise<StackCost> {
  const rounds = options.rounds ?? 3
  const publications = options.publications ?? 100
  const fanout = options.fanout ?? 5
  const key = await generateKeyPair('Ed25519')
  const leaves = Array.from({ length: fanout }, (_, i) => i + 1)
  const shapes: Record<string, { edges: Array<[number, number]>, size: number }> = {
    pair: { edges: [[1, 0]], size: 2 },
    star: { edges: leaves.map(i => [i, 0] as [number, number]), size: fanout + 1 },
    clique: {
      edges: [...leaves.map(i => [i, 0] as [number, number]), ...leaves.flatMap(i => leaves.filter(j => j > i).map(j => [j, i] as [number, number]))],
      size: fanout + 1
    }
  }
  const runs: StackCost['runs'] = []
  for (let round = 0; round < rounds; round++) {
    for (const [name, s] of Object.entries(shapes)) {
      const arts = await outcomeArtifacts(key, publications, 1_000_000 * (round + 1) + name.length * 10_000)
      const r = await shape(s.edges, s.size, arts)
      runs.push({ shape: name, round, cpuMsPerPublication: r.cpu, firstPerPublication: r.first, duplicatesPerPublication: r.dup, idleMsPerNodeS: r.idle })
    }
  }
  const of = (name: string, f: (r: StackCost['runs'][number]) => number): number => median(runs.filter(r => r.shape === name).map(f))
  const cpu = (name: string): number => of(name, r => r.cpuMsPerPublication)
  const firsts = (name: string): number => of(name, r => r.firstPerPublication)
  // pair: p + 1·f, star: p + F·f, clique: p + F·f + D·d
  const firstMs = (cpu('star') - cpu('pair')) / (firsts('star') - firsts('pair'))
  const publishMs = cpu('pair') - firsts('pair') * firstMs
  const dups = of('clique', r => r.duplicatesPerPublication)
  const duplicateMs = dups > 0 ? (cpu('clique') - publishMs - firsts('clique') * firstMs) / dups : Number.NaN
  return { publishMs, firstMs, duplicateMs, idleMsPerNodeS: median(runs.filter(r => r.shape !== 'pair').map(r => r.idleMsPerNodeS)), runs, aggregate: 'median', publications, fanout }
}
