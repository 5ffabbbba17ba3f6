/**
 * Discrete-event simulation of announcement propagation with the mesh's gossip parameters:
 * flood publish, eager push along mesh links, lazy IHAVE/IWANT gossip at heartbeats, with
 * per-link latency, loss, offline nodes and non-forwarding adversaries.
 */
import { EventQueue } from './event-queue.ts'
import { GOSSIP } from './gossip-params.ts'
import { Rng, percentile } from './rng.ts'
import { buildTopology } from './topology.ts'
import type { SimEvent } from './event-queue.ts'
import type { Topology } from './topology.ts'

export interface LinkModel {
  /** Median one-way latency in ms and log-normal shape. */
  latencyMs: number
  sigma: number
  loss: number
  /** Per-hop processing (decode, signature check, gossipsub validation) in ms. */
  hopMs: number
  /**
   * All nodes share one CPU (every node in one process, as in the loopback benchmark): each
   * delivered message, duplicates included, takes this many ms of that CPU, one at a time.
   */
  sharedCpuMs?: number
}

export interface Scenario {
  n: number
  link: LinkModel
  offline: number
  adversarial: number
  publishers: number
  seed: number
}

export interface PropagationResult {
  n: number
  coverage: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  messagesPerNode: number
  /** Per-publication latencies of reached honest nodes, for plotting (sampled). */
  sample: number[]
}

interface Ev extends SimEvent { kind: 0 | 1, node: number, from: number }

const HORIZON_MS = 60_000

export function simulatePropagation (s: Scenario, topo?: Topology): PropagationResult {
  const rng = new Rng(s.seed)
  const t = topo ?? buildTopology(s.n, rng)
  const role = new Uint8Array(s.n) // 0 honest, 1 offline, 2 adversarial
  for (let i = 0; i < s.n; i++) {
    const r = rng.next()
    role[i] = r < s.offline ? 1 : r < s.offline + s.adversarial ? 2 : 0
  }
  const honest: number[] = []
  for (let i = 0; i < s.n; i++) if (role[i] === 0) honest.push(i)
  const phase = Float64Array.from({ length: s.n }, () => rng.next() * GOSSIP.heartbeatMs)
  const latencies: number[] = []
  let reachedTotal = 0
  let messages = 0
  const sample: number[] = []
  for (let p = 0; p < s.publishers; p++) {
    const origin = honest[rng.int(honest.length)]!
    const got = new Float64Array(s.n).fill(-1)
    const q = new EventQueue<Ev>()
    let cpuFree = 0
    const send = (from: number, to: number, at: number, legs: number): void => {
      messages++
      let delay = 0
      for (let l = 0; l < legs; l++) {
        if (rng.next() < s.link.loss) return
        delay += rng.logNormal(s.link.latencyMs, s.link.sigma)
      }
      q.push({ t: at + delay + s.link.hopMs, kind: 0, node: to, from })
    }
    got[origin] = 0
    const c0 = t.conns[origin]!
    for (const peer of (GOSSIP.floodPublish ? c0 : t.mesh[origin]!)) send(origin, peer, 0, 1)
    scheduleHeartbeats(q, origin, 0, phase)
    while (q.size > 0) {
      const e = q.pop()!
      if (e.t > HORIZON_MS) break
      const v = e.node
      if (e.kind === 0) {
        if (role[v] === 1) continue
        let now = e.t
        if (s.link.sharedCpuMs != null) {
          now = Math.max(now, cpuFree) + s.link.sharedCpuMs
          cpuFree = now
        }
        if (got[v]! >= 0) continue
        got[v] = now
        // an adversary swallows the message but keeps advertising it (IHAVE it never serves)
        if (role[v] !== 2) for (const peer of t.mesh[v]!) if (peer !== e.from) send(v, peer, now, 1)
        scheduleHeartbeats(q, v, now, phase)
      } else {
        // heartbeat: IHAVE to Dlazy non-mesh peers; a peer that lacks it answers IWANT and gets it (3 legs)
        const conns = t.conns[v]!
        const mesh = new Set(t.mesh[v]!)
        const nonMesh = Array.from(conns).filter(x => !mesh.has(x))
        const k = Math.max(GOSSIP.Dlazy, Math.floor(GOSSIP.gossipFactor * nonMesh.length))
        for (let j = 0; j < Math.min(k, nonMesh.length); j++) {
          const peer = nonMesh[rng.int(nonMesh.length)]!
          messages++
          if (got[peer]! < 0 && role[peer] === 0) {
            if (role[v] === 2) messages++ // an IWANT that will never be answered
            else send(v, peer, e.t, 3)
          }
        }
      }
    }
    for (const h of honest) {
      if (h === origin) continue
      const at = got[h]!
      if (at >= 0) { latencies.push(at); reachedTotal++; if (sample.length < 20_000) sample.push(at) }
    }
  }
  latencies.sort((a, b) => a - b)
  const possible = s.publishers * (honest.length - 1)
  return {
    n: s.n,
    coverage: reachedTotal / possible,
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    messagesPerNode: messages / s.publishers / s.n,
    sample
  }
}

function scheduleHeartbeats (q: EventQueue<Ev>, node: number, from: number, phase: Float64Array): void {
  let next = Math.ceil((from - phase[node]!) / GOSSIP.heartbeatMs) * GOSSIP.heartbeatMs + phase[node]!
  for (let k = 0; k < GOSSIP.historyGossip; k++, next += GOSSIP.heartbeatMs) q.push({ t: next, kind: 1, node, from: node })
}
