/**
 * The loopback benchmark's propagation shape (`npm run bench -- mesh`: n real nodes in this
 * process, each dialling up to 6 earlier ones, announcements from random nodes) measured with what
 * the one-process model needs beside the latencies: idle CPU per node at this connection count,
 * CPU per announcement, deliveries and control messages counted in gossipsub, GC pauses, and which
 * of the slowest deliveries came after an IHAVE (gossip repair at a heartbeat, not eager push).
 */
import { PerformanceObserver } from 'node:perf_hooks'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { startNode, stopAll } from '../bench/_mesh-common.ts'
import { Rng, percentile } from './rng.ts'
import { countRpcs, cpuMs, outcomeArtifacts, waitFor } from './stack-cost.ts'
import type { Counts } from './stack-cost.ts'
import type { Node } from '../bench/_mesh-common.ts'

export interface AnnouncementCheck {
  cpuMs: number
  wallMs: number
  firsts: number
  duplicates: number
  controls: number
  gcMs: number
  maxMs: number
}

export interface OneProcessCheck {
  n: number
  /** Connections per node once the meshes formed, and after the last announcement. */
  meanConnections: number
  meanConnectionsAtEnd: number
  /** Idle CPU ms per node per second: the least of four half-second windows. */
  idleMsPerNodeS: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Deliveries at or above the p99, how many followed an IHAVE, and how many announcements they belong to. */
  tail: { deliveries: number, afterIhave: number, announcements: number }
  announcements: AnnouncementCheck[]
}

export async function checkOneProcess (n: number, announcements = 10, seed = 7): Promise<OneProcessCheck> {
  const rng = new Rng(seed + n)
  const gc: Array<{ t: number, d: number }> = []
  const obs = new PerformanceObserver(l => { for (const e of l.getEntries()) gc.push({ t: e.startTime, d: e.duration }) })
  obs.observe({ entryTypes: ['gc'] })
  const nodes: Node[] = []
  try {
    for (let i = 0; i < n; i++) nodes.push(await startNode())
    for (let i = 1; i < n; i++) {
      const earlier = [...Array(i).keys()]
      const targets = Array.from({ length: Math.min(6, i) }, () => earlier.splice(rng.int(earlier.length), 1)[0]!)
      await Promise.all(targets.map(async t => nodes[i]!.mesh.dial(nodes[t]!.mesh.multiaddrs()[0] as string).catch(() => {})))
    }
    const pubsub = (x: Node): Node['mesh']['libp2p']['services']['pubsub'] => x.mesh.libp2p.services.pubsub
    const topic = pubsub(nodes[0]!).getTopics()[0]!
    await waitFor(() => nodes.every(x => pubsub(x).getSubscribers(topic).length >= Math.min(x.mesh.peers().length, 1)), 30_000)
    await new Promise(resolve => setTimeout(resolve, 2500)) // two heartbeats: meshes grafted, as in the benchmark
    const meanConnections = (): number => nodes.reduce((s, x) => s + x.mesh.peers().length, 0) / n
    const connectionsBefore = meanConnections()
    const counts: Counts = { messages: 0, control: 0, ihave: 0 }
    const lastIhave = new Map<Node, number>()
    for (const x of nodes) countRpcs(x, counts, () => { lastIhave.set(x, performance.now()) })
    // idle CPU: the least of four half-second windows (heartbeats; not the occasional burst of other work)
    const windows: number[] = []
    for (let w = 0; w < 4; w++) {
      const i0 = cpuMs()
      const w0 = performance.now()
      await new Promise(resolve => setTimeout(resolve, 500))
      windows.push((cpuMs() - i0) / (performance.now() - w0) * 1000 / n)
    }
    const idleMsPerNodeS = Math.min(...windows)
    const key = await generateKeyPair('Ed25519')
    const arts = await outcomeArtifacts(key, announcements, 20_000_000 + n * 100)
    const all: Array<{ ms: number, afterIhave: boolean, k: number }> = []
    const checks: AnnouncementCheck[] = []
    for (let k = 0; k < arts.length; k++) {
      const cid = arts[k]!.cid.toString()
      const from = nodes[rng.int(n)]!
      const seen = new Map<Node, { t: number, afterIhave: boolean }>()
      let t0 = performance.now()
      const offs = nodes.filter(x => x !== from).map(x => x.mesh.on('announcement', a => {
        if (a.cid === cid && !seen.has(x)) seen.set(x, { t: performance.now(), afterIhave: (lastIhave.get(x) ?? -1) > t0 })
      }))
      const before = { ...counts }
      const g0 = gc.length
      const c0 = cpuMs()
      t0 = performance.now()
      await from.mesh.announce(arts[k]!)
      await waitFor(() => seen.size >= n - 1, 5000)
      const wallMs = performance.now() - t0
      const cpu = cpuMs() - c0
      for (const off of offs) off()
      const ms = [...seen.values()].map(s => s.t - t0)
      for (const s of seen.values()) all.push({ ms: s.t - t0, afterIhave: s.afterIhave, k })
      const messages = counts.messages - before.messages
      checks.push({
        cpuMs: cpu, wallMs, firsts: seen.size, duplicates: messages - seen.size, controls: counts.control - before.control,
        gcMs: gc.slice(g0).reduce((s, g) => s + g.d, 0), maxMs: Math.max(...ms)
      })
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    const sorted = all.map(d => d.ms).sort((a, b) => a - b)
    const p99 = percentile(sorted, 0.99)
    const tail = all.filter(d => d.ms >= p99)
    return {
      n,
      meanConnections: connectionsBefore,
      meanConnectionsAtEnd: meanConnections(),
      idleMsPerNodeS,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: p99,
      maxMs: sorted.at(-1) ?? Number.NaN,
      tail: { deliveries: tail.length, afterIhave: tail.filter(d => d.afterIhave).length, announcements: new Set(tail.map(d => d.k)).size },
      announcements: checks
    }
  } finally {
    obs.disconnect()
    await stopAll(nodes)
  }
}
