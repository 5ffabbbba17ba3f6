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
  /** All nodes share one CPU (every node in one process, as in the loopback benchmark). */
  sharedCpu?: SharedCpu
}

/**
 * CPU ms of the one shared CPU per step, taken one at a time in arrival order (the event loop's
 * queue): measured on the real stack by sim/stack-cost.ts.
 */
export interface SharedCpu {
  /** At the publisher, before its first copy leaves. */
  publishMs: number
  /** A first delivery (its sender's copy included). */
  firstMs: number
  /** A copy the node has already seen. */
  duplicateMs: number
  /** An IHAVE, or an IWANT that goes unanswered. */
  controlMs: number
  /** Every node's own heartbeat, once per heartbeat interval, message or not. */
  heartbeatMs: number
}

export interface Scenario {
  n: number
  link: LinkModel
  offline: number
  adversarial: number
  publishers: number
  seed: number
  /** Connections per node (default GOSSIP.connections). */
  connections?: number
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

/** 0 a delivery, 1 a heartbeat gossiping a message the node holds, 2 a heartbeat's own CPU (shared CPU only). */
interface Ev extends SimEvent { kind: 0 | 1 | 2, node: number, from: number }

/** Heartbeats whose own CPU the shared-CPU model charges after each publication. */
const CHARGED_HEARTBEATS = 5

const HORIZON_MS = 60_000

export function simulatePropagation (s: Scenario, topo?: Topology): PropagationResult {
  const cpuCosts = Object.values(s.link.sharedCpu ?? {})
  if (cpuCosts.some(ms => !Number.isFinite(ms) || ms < 0)) throw new RangeError(`shared CPU costs must be finite and ≥ 0: ${JSON.stringify(s.link.sharedCpu)}`)
  const rng = new Rng(s.seed)
  const t = topo ?? buildTopology(s.n, rng, s.connections)
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
    const cpu = s.link.sharedCpu
    let cpuFree = cpu?.publishMs ?? 0
    /** Takes `ms` of the shared CPU from `at` on; returns when it is done. */
    const busy = (at: number, ms: number): number => { cpuFree = Math.max(at, cpuFree) + ms; return cpuFree }
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
    for (const peer of (GOSSIP.floodPublish ? c0 : t.mesh[origin]!)) send(origin, peer, cpuFree, 1)
    scheduleHeartbeats(q, origin, 0, phase)
    if (cpu != null) {
      for (let v = 0; v < s.n; v++) {
        for (let k = 0; k < CHARGED_HEARTBEATS; k++) q.push({ t: phase[v]! + k * GOSSIP.heartbeatMs, kind: 2, node: v, from: v })
      }
    }
    while (q.size > 0) {
      const e = q.pop()!
      if (e.t > HORIZON_MS) break
      const v = e.node
      if (e.kind === 0) {
        if (role[v] === 1) continue
        const seen = got[v]! >= 0
        const now = cpu == null ? e.t : busy(e.t, seen ? cpu.duplicateMs : cpu.firstMs)
        if (seen) continue
        got[v] = now
        // an adversary swallows the message but keeps advertising it (IHAVE it never serves)
        if (role[v] !== 2) for (const peer of t.mesh[v]!) if (peer !== e.from) send(v, peer, now, 1)
        scheduleHeartbeats(q, v, now, phase)
      } else if (e.kind === 2) {
        if (role[v] !== 1) busy(e.t, cpu!.heartbeatMs)
      } else {
        // heartbeat: IHAVE to Dlazy non-mesh peers; a peer that lacks it answers IWANT and gets it (3 legs)
        const conns = t.conns[v]!
        const mesh = new Set(t.mesh[v]!)
        const nonMesh = Array.from(conns).filter(x => !mesh.has(x))
        const k = Math.max(GOSSIP.Dlazy, Math.floor(GOSSIP.gossipFactor * nonMesh.length))
        for (let j = 0; j < Math.min(k, nonMesh.length); j++) {
          const peer = nonMesh[rng.int(nonMesh.length)]!
          messages++
          if (role[peer] === 1) continue
          if (cpu != null) busy(e.t, cpu.controlMs)
          if (got[peer]! < 0 && role[peer] === 0) {
            if (role[v] === 2) {
              messages++ // an IWANT that will never be answered
              if (cpu != null) busy(e.t, cpu.controlMs)
            } else send(v, peer, e.t, 3)
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
