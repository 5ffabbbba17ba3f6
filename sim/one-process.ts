/**
 * The one-process model next to the loopback benchmark: every node in one process on one shared
 * CPU, charged the per-message costs of the whole stack measured on this machine (stack-cost.ts),
 * scaled to what a message costs in the benchmark's own shape (one-process-check.ts), with its
 * connection count and every node's heartbeat. Compared with `bench/results/mesh.json`.
 */
import { GOSSIP } from './gossip-params.ts'
import { simulatePropagation } from './mesh-sim.ts'
import { median } from './stack-cost.ts'
import type { LinkModel, PropagationResult, SharedCpu } from './mesh-sim.ts'
import type { OneProcessCheck } from './one-process-check.ts'
import type { StackCost } from './stack-cost.ts'

/** Loopback TCP inside one process: the per-hop work is the shared CPU's, not a delay. */
export const LOOPBACK: LinkModel = { latencyMs: 0.1, sigma: 0.5, loss: 0, hopMs: 0 }

export interface OneProcessModel {
  n: number
  connections: number
  /** Measured CPU per announcement in the benchmark's shape over what the stack costs predict for its messages (median over announcements). */
  scale: number
  /** Where the connection count came from: the benchmark run compared with, or the check. */
  connectionsFrom: 'benchmark' | 'check'
  sharedCpu: SharedCpu
  result: PropagationResult
}

/** CPU ms the stack costs predict for one announcement's own messages. */
export function predictedWorkMs (c: Pick<SharedCpu, 'publishMs' | 'firstMs' | 'duplicateMs' | 'controlMs'>, firsts: number, duplicates: number, controls: number): number {
  return c.publishMs + firsts * c.firstMs + duplicates * c.duplicateMs + controls * c.controlMs
}

/** `benchConnections`: the mean connection count of the benchmark run the model is compared with, when known. */
export function oneProcessModel (stack: StackCost, check: OneProcessCheck, seed: number, benchConnections?: number): OneProcessModel {
  // an IHAVE or IWANT costs at most what a duplicate does (no signature to check): charged as one
  const base = { publishMs: stack.publishMs, firstMs: stack.firstMs, duplicateMs: stack.duplicateMs, controlMs: stack.duplicateMs }
  const scale = median(check.announcements.map(a =>
    (a.cpuMs - check.idleMsPerNodeS * check.n * a.wallMs / 1000) / predictedWorkMs(base, a.firsts, a.duplicates, a.controls)))
  if (!(scale > 0)) throw new RangeError(`the ${check.n}-node check's CPU per announcement, less its idle CPU, is not positive (scale ${scale}): rerun on a quieter machine`)
  const sharedCpu: SharedCpu = {
    publishMs: base.publishMs * scale,
    firstMs: base.firstMs * scale,
    duplicateMs: base.duplicateMs * scale,
    controlMs: base.controlMs * scale,
    heartbeatMs: check.idleMsPerNodeS * GOSSIP.heartbeatMs / 1000
  }
  const connections = Math.round(benchConnections ?? check.meanConnections)
  const result = simulatePropagation({ n: check.n, link: { ...LOOPBACK, sharedCpu }, offline: 0, adversarial: 0, publishers: 5, seed, connections })
  return { n: check.n, connections, connectionsFrom: benchConnections != null ? 'benchmark' : 'check', scale, sharedCpu, result }
}

const f1 = (x: number): string => x.toFixed(1)
const f2 = (x: number): string => x.toFixed(2)

export interface OneProcessReport {
  validation: Record<string, number>
  stack: StackCost
  checks: OneProcessCheck[]
  models: OneProcessModel[]
  /** The announcement validator's decode + signature check alone (announce-cost.ts). */
  announcementMs: number
  /** bench/results/mesh.json, when there is one. */
  loopback: Record<string, unknown> | null
}

export function oneProcessMarkdown (r: OneProcessReport): string[] {
  const measured = (n: number, q: 'P50' | 'P99'): number | null => {
    const v = r.loopback?.[`propagation${n}${q}Ms`]
    return typeof v === 'number' ? v : null
  }
  const s = r.stack
  const lines = [
    'Validation against real libp2p nodes on loopback (`npm run bench -- mesh`, every node in one process; its figures from `bench/results/mesh.json`):', '',
    '| nodes | simulated LAN p99 (a CPU per node) | simulated one-process p50 / p99 | benchmark p50 / p99 | p99 measured ÷ simulated | this run\'s check p50 / p99 (shared machine) |',
    '|---|---|---|---|---|---|',
    ...r.models.map((m, i) => {
      const mp = measured(m.n, 'P99')
      const c = r.checks[i]!
      return `| ${m.n} | ${f1(r.validation[`sim${m.n}P99Ms`] ?? Number.NaN)} ms | ${f1(m.result.p50Ms)} / ${f1(m.result.p99Ms)} ms | ` +
        `${measured(m.n, 'P50') ?? 'n/a'} / ${mp ?? 'n/a'} ms | ${mp != null ? f2(mp / m.result.p99Ms) + '×' : 'n/a'} | ${f1(c.p50Ms)} / ${f1(c.p99Ms)} ms |`
    }), '',
    `**Calibration.** The one-process model runs every node on one CPU, one step at a time in arrival order, and charges each step what it costs the whole stack ` +
    '(Noise, yamux, gossipsub and its signature check, the mesh\'s announcement validator), measured in this run on real nodes in this process ' +
    `(sim/stack-cost.ts: a pair, a star of ${s.fanout} and a clique of ${s.fanout + 1}, ${s.runs.length / 3} rounds of ${s.publications} announcements each, ` +
    `CPU from process.cpuUsage less the nodes' idle CPU, the ${s.aggregate} of the rounds): a publication ${f2(s.publishMs)} ms, a first delivery ` +
    `${f2(s.firstMs)} ms including its sender's copy (of which ${f2(r.announcementMs)} ms is the validator's decode and signature check), a duplicate ` +
    `${f2(s.duplicateMs)} ms (gossipsub checks the signature before it drops a copy as seen). An IHAVE or IWANT is charged as a duplicate, an upper bound.`, '',
    ...r.models.flatMap((m, i) => {
      const c = r.checks[i]!
      const med = (f: (a: OneProcessCheck['announcements'][number]) => number): number => median(c.announcements.map(f))
      return [`At ${m.n} nodes in the benchmark's shape (sim/one-process-check.ts: each node dials up to 6 earlier ones, ${f1(c.meanConnections)} connections per node ` +
        `once the meshes formed and ${f1(c.meanConnectionsAtEnd)} after the last announcement, ` +
        `${c.announcements.length} announcements) one announcement took a median ${med(a => a.cpuMs).toFixed(0)} ms of CPU for ${c.n - 1} first deliveries, ` +
        `${med(a => a.duplicates).toFixed(0)} duplicates and ${med(a => a.controls).toFixed(0)} control messages; less idle CPU, an ` +
        `announcement took a median ${f2(m.scale)}× what the costs above predict for its messages, so the model's costs are scaled by that factor there; ` +
        `it uses ${m.connections} connections per node (the ${m.connectionsFrom}'s), and each node's heartbeat takes its idle CPU, ` +
        `${f2(c.idleMsPerNodeS)} ms per node per second (the least of four half-second windows).`, ''
      ]
    }),
    'All CPU figures come from a shared 2-core machine with other work running (the benchmark figures from a quiet run): loaded CPU times are higher, so the model errs slow.', ''
  ]
  for (const [i, m] of r.models.entries()) {
    const mp = measured(m.n, 'P99')
    if (mp == null) continue
    const ratio = mp / m.result.p99Ms
    if (ratio <= 2 && ratio >= 0.5) {
      lines.push(`At ${m.n} nodes the simulated p99 is within 2× of the measured one (${f2(ratio)}×).`, '')
      continue
    }
    const c = r.checks[i]!
    const work = predictedWorkMs(m.sharedCpu, c.n - 1, median(c.announcements.map(a => a.duplicates)), median(c.announcements.map(a => a.controls)))
    const slowest = c.announcements.reduce((a, b) => (b.maxMs > a.maxMs ? b : a))
    const messages = (a: OneProcessCheck['announcements'][number]): number => a.firsts + a.duplicates + a.controls
    lines.push(`At ${m.n} nodes the simulated p99 is ${f1(m.result.p99Ms)} ms, ${f2(ratio)}× from the benchmark's ${mp} ms; the p50s are ` +
      `${f1(m.result.p50Ms)} ms simulated and ${measured(m.n, 'P50') ?? 'n/a'} ms measured. A model that queues each message's work on one CPU cannot reach ` +
      `that p99: its slowest first delivery comes before the CPU has done one announcement's work, about ${work.toFixed(0)} ms here, and the benchmark's ` +
      `p99 is ${f1(mp / work)}× that. In this run's ${m.n}-node check (the same shape on this machine, minutes earlier) p50 and p99 were ` +
      `${f1(c.p50Ms)} and ${f1(c.p99Ms)} ms, ${f2(c.p99Ms / m.result.p99Ms)}× the simulated p99; its slowest 1% of deliveries (${c.tail.deliveries}) came from ` +
      `${c.tail.announcements} of ${c.announcements.length} announcements, ${c.tail.afterIhave} of them after an IHAVE (gossip repair at a heartbeat, not ` +
      `eager push), and its slowest announcement took ${slowest.cpuMs.toFixed(0)} ms of CPU (${slowest.gcMs.toFixed(0)} ms of it GC) over ` +
      `${slowest.wallMs.toFixed(0)} ms for ${messages(slowest)} messages, against a median of ${median(c.announcements.map(a => a.cpuMs)).toFixed(0)} ms for ` +
      `${median(c.announcements.map(messages)).toFixed(0)}. What stretches a delivery beyond one announcement's work (GC, heartbeats and timers of ${m.n} ` +
      'nodes landing in the burst, gossip repair once the burst outlasts a heartbeat, time given to other processes) has no per-message parameter here, ' +
      'and with 10 announcements per benchmark run a single slow announcement can decide the p99: the model predicts the typical announcement, not that outlier.', '')
  }
  lines.push(`The LAN model (a CPU per node) is unchanged: its 2 ms of work per hop matches the first-delivery cost measured above (${f2(s.firstMs)} ms on this loaded machine).`)
  return lines
}
