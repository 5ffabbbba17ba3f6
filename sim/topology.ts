/** Random connection graphs and gossipsub meshes for the simulator. */
import { GOSSIP } from './gossip-params.ts'
import type { Rng } from './rng.ts'

export interface Topology {
  n: number
  /** Connections per node. */
  conns: Int32Array[]
  /** Mesh peers per node (a subset of connections, symmetric like GRAFT). */
  mesh: Int32Array[]
}

export function buildTopology (n: number, rng: Rng, connections: number = GOSSIP.connections): Topology {
  const target = Math.min(connections, n - 1)
  const adj: Array<Set<number>> = Array.from({ length: n }, () => new Set())
  // ring first so the graph is connected, then random chords up to the target degree
  for (let i = 0; i < n; i++) { adj[i]!.add((i + 1) % n); adj[(i + 1) % n]!.add(i) }
  const edges = Math.floor((n * target) / 2) - n
  for (let e = 0, tries = 0; e < edges && tries < edges * 4; tries++) {
    const a = rng.int(n)
    const b = rng.int(n)
    if (a === b || adj[a]!.has(b) || adj[a]!.size >= target + 2 || adj[b]!.size >= target + 2) continue
    adj[a]!.add(b); adj[b]!.add(a); e++
  }
  const conns = adj.map(s => Int32Array.from(s))
  const meshSets: Array<Set<number>> = Array.from({ length: n }, () => new Set())
  for (let i = 0; i < n; i++) {
    const c = conns[i]!
    for (let k = 0; k < c.length && meshSets[i]!.size < GOSSIP.D; k++) {
      const p = c[rng.int(c.length)]!
      if (meshSets[i]!.size >= GOSSIP.D || meshSets[p]!.size >= GOSSIP.Dhi) continue
      meshSets[i]!.add(p); meshSets[p]!.add(i)
    }
  }
  return { n, conns, mesh: meshSets.map(s => Int32Array.from(s)) }
}
