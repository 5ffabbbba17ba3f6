/**
 * The scale simulator: `npm run sim [-- --quick]`. Announcement propagation (gossip parameters
 * of the real mesh), sync cost (the real reconciliation code) and DHT lookups (the outcome
 * layer's routing logic, `sim/dht`) at 1k, 10k and 100k nodes. Writes docs/results/sim.json,
 * sim.md and SVG plots.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { simulatePropagation } from './mesh-sim.ts'
import { Rng } from './rng.ts'
import { hourlySyncBytes, measureSyncCost } from './sync-cost.ts'
import { cdf, writeLineChart } from './plot.ts'
import { announcementCpuMs } from './announce-cost.ts'
import { measureStackCost, median } from './stack-cost.ts'
import { checkOneProcess } from './one-process-check.ts'
import { oneProcessMarkdown, oneProcessModel } from './one-process.ts'
import type { LinkModel, PropagationResult } from './mesh-sim.ts'
import type { OneProcessCheck } from './one-process-check.ts'
import type { OneProcessModel } from './one-process.ts'
import { formatRow, runDhtSim } from './dht/index.ts'
import { dhtMarkdown } from './dht/report.ts'

const quick = process.argv.includes('--quick')
const out = new URL('../docs/results/', import.meta.url)
mkdirSync(out, { recursive: true })

// a LAN hop: sub-ms wire latency plus ~2 ms of per-hop work in the node (noise, yamux, gossipsub validation)
const LAN: LinkModel = { latencyMs: 0.5, sigma: 0.5, loss: 0.001, hopMs: 2 }
// a village-to-village wireless / internet link
const WAN: LinkModel = { latencyMs: 40, sigma: 0.6, loss: 0.01, hopMs: 2 }

const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000]
const rows: Array<Record<string, number | string>> = []
const cdfRows: Array<Record<string, number | string>> = []
const started = Date.now()

function record (label: string, n: number, r: PropagationResult, t0: number): PropagationResult {
  const row = {
    scenario: label, n, coverage: r.coverage, p50Ms: r.p50Ms, p90Ms: r.p90Ms, p99Ms: r.p99Ms, maxMs: r.maxMs,
    messagesPerNode: r.messagesPerNode, wallS: (Date.now() - t0) / 1000
  }
  rows.push(row)
  console.log(`${label.padEnd(18)} n=${String(n).padStart(6)} coverage ${(r.coverage * 100).toFixed(2)}%  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  msgs/node ${r.messagesPerNode.toFixed(1)}  (${row.wallS.toFixed(1)} s)`)
  return r
}

function run (label: string, n: number, link: LinkModel, offline: number, adversarial: number): PropagationResult {
  const t0 = Date.now()
  return record(label, n, simulatePropagation({ n, link, offline, adversarial, publishers: n >= 100_000 ? 2 : 5, seed: 42 + n }), t0)
}

let loopback: Record<string, unknown> | null = null
const meshBench = new URL('../bench/results/mesh.json', import.meta.url)
if (existsSync(meshBench)) loopback = JSON.parse(readFileSync(meshBench, 'utf8')) as Record<string, unknown>

console.log('announcement propagation')
const validation: Record<string, number> = {}
for (const n of [20, 50]) validation[`sim${n}P99Ms`] = run('lan-validation', n, LAN, 0, 0).p99Ms
// the loopback benchmark runs every node in one process: the shared-CPU model with the stack's
// per-message costs measured now on real nodes (sim/stack-cost.ts, sim/one-process-check.ts)
const stack = await measureStackCost()
console.log(`  stack cost (median of ${stack.runs.length / 3} rounds): publish ${stack.publishMs.toFixed(2)} ms, first delivery ${stack.firstMs.toFixed(2)} ms, duplicate ${stack.duplicateMs.toFixed(2)} ms`)
const announcementMs = await announcementCpuMs()
validation.announcementDecodeVerifyMs = announcementMs
const oneProcess: OneProcessModel[] = []
const checks: OneProcessCheck[] = []
for (const n of [20, 50]) {
  const check = await checkOneProcess(n)
  console.log(`  ${n} nodes in this process: p50 ${check.p50Ms.toFixed(1)} ms, p99 ${check.p99Ms.toFixed(1)} ms, idle ${check.idleMsPerNodeS.toFixed(2)} ms per node per s, CPU per announcement median ${median(check.announcements.map(a => a.cpuMs)).toFixed(0)} ms`)
  const t0 = Date.now()
  const benchConnections = loopback?.[`propagation${n}MeanConnections`]
  const model = oneProcessModel(stack, check, 42 + n, typeof benchConnections === 'number' ? benchConnections : undefined)
  record('loopback-one-process', n, model.result, t0)
  validation[`sim${n}OneProcessP99Ms`] = model.result.p99Ms
  checks.push(check)
  oneProcess.push(model)
}
for (const n of sizes) {
  const lan = run('lan', n, LAN, 0, 0)
  for (const p of cdf(lan.sample)) cdfRows.push({ n: `${n} nodes (LAN)`, ms: p.x, share: p.y })
  const wan = run('wan', n, WAN, 0, 0)
  for (const p of cdf(wan.sample)) cdfRows.push({ n: `${n} nodes (WAN)`, ms: p.x, share: p.y })
  run('wan-10%-offline', n, WAN, 0.1, 0)
  run('wan-30%-offline', n, WAN, 0.3, 0)
  run('wan-30%-adversarial', n, WAN, 0, 0.3)
  run('wan-10%-loss', n, { ...WAN, loss: 0.1 }, 0, 0)
}

console.log('\nsync cost (real reconciliation, libraries of 10,000)')
const rng = new Rng(7)
const curve = [0, 1, 10, 100, 1000].map(d => measureSyncCost(10_000, d, rng))
for (const c of curve) console.log(`  diff ${String(c.diff).padStart(5)}: ${c.bytes} bytes in ${c.rounds} rounds`)
const costAt = (d: number): number => {
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!; const b = curve[i]!
    if (d <= b.diff) return a.bytes + (b.bytes - a.bytes) * (d - a.diff) / (b.diff - a.diff)
  }
  return curve.at(-1)!.bytes
}
const hourly = sizes.map(n => {
  const miss = 1 - (rows.find(r => r.scenario === 'wan' && r.n === n)!.coverage as number)
  const h = hourlySyncBytes({ nodes: n, perNodePerDay: 2, missRate: miss, syncIntervalS: 60, librarySize: 10_000 }, costAt)
  console.log(`  ${n} nodes, 2 publications/node/day, WAN miss rate ${(miss * 100).toFixed(3)}%: ${h.diffPerSync.toFixed(2)} differences per sync, ${(h.bytesPerHour / 1024).toFixed(1)} KiB per node per hour`)
  return { n, missRate: miss, diffPerSync: h.diffPerSync, syncKiBPerNodeHour: h.bytesPerHour / 1024 }
})

console.log('\nDHT lookups (sim/dht)')
const dht = await runDhtSim({ sizes, quick, onRow: r => { console.log(formatRow(r)) } })
const dhtRows = dht.rows

await writeLineChart(new URL('sim-propagation-cdf.svg', out).pathname, {
  title: 'Announcement latency CDF (gossip parameters of the real mesh)',
  x: { field: 'ms', title: 'ms after publication', log: true },
  y: { field: 'share', title: 'share of honest nodes reached' },
  series: 'n',
  values: cdfRows.filter(r => (r.ms as number) > 0)
})
await writeLineChart(new URL('sim-sync-bytes.svg', out).pathname, {
  title: 'Sync bytes vs set difference (10,000-artifact libraries)',
  x: { field: 'diff', title: 'artifacts that differ (+1)', log: true },
  y: { field: 'bytes', title: 'bytes on the wire', log: true },
  values: curve.map(c => ({ diff: c.diff + 1, bytes: c.bytes }))
})

await writeLineChart(new URL('sim-dht-hops.svg', out).pathname, {
  title: 'DHT lookup hops vs network size (kad-dht routing logic)',
  x: { field: 'n', title: 'nodes', log: true },
  y: { field: 'hops', title: 'hops (mean)' },
  series: 'series',
  values: [
    ...dhtRows.map(r => ({ n: r.n, hops: r.hopsMean, series: `Baobab, ${Math.round(r.offline * 100)}% offline` })),
    ...dhtRows.filter(r => r.offline === 0 && r.seedClaimHops != null).map(r => ({ n: r.n, hops: r.seedClaimHops!, series: 'seed claim' }))
  ]
})

const result = {
  date: new Date().toISOString(),
  wallS: (Date.now() - started) / 1000,
  validation: {
    ...validation,
    loopbackPropagation20P99Ms: loopback?.propagation20P99Ms ?? null,
    loopbackPropagation50P99Ms: loopback?.propagation50P99Ms ?? null
  },
  propagation: rows,
  stackCost: stack,
  oneProcess: oneProcess.map((m, i) => ({ ...m, result: undefined, check: checks[i] })),
  syncCurve: curve,
  syncHourly: hourly,
  dht
}
writeFileSync(new URL('sim.json', out), JSON.stringify(result, null, 2) + '\n')
const md = [
  '# Scale simulation', '',
  `Generated by \`npm run sim\` on ${result.date} in ${result.wallS.toFixed(0)} s.`, '',
  '## Announcement propagation', '',
  '| scenario | nodes | coverage | p50 ms | p90 ms | p99 ms | messages/node |', '|---|---|---|---|---|---|---|',
  ...rows.map(r => `| ${r.scenario} | ${r.n} | ${((r.coverage as number) * 100).toFixed(2)}% | ${(r.p50Ms as number).toFixed(1)} | ${(r.p90Ms as number).toFixed(1)} | ${(r.p99Ms as number).toFixed(1)} | ${(r.messagesPerNode as number).toFixed(1)} |`),
  '', ...oneProcessMarkdown({ validation, stack, checks, models: oneProcess, announcementMs, loopback }),
  '', '![latency CDF](sim-propagation-cdf.svg)', '',
  '## Sync cost', '', '| differences | bytes | rounds |', '|---|---|---|',
  ...curve.map(c => `| ${c.diff} | ${c.bytes} | ${c.rounds} |`), '',
  '| nodes | WAN miss rate | differences per sync | KiB per node per hour |', '|---|---|---|---|',
  ...hourly.map(h => `| ${h.n} | ${(h.missRate * 100).toFixed(3)}% | ${h.diffPerSync.toFixed(2)} | ${h.syncKiBPerNodeHour.toFixed(1)} |`), '',
  '![sync bytes](sim-sync-bytes.svg)', '',
  ...dhtMarkdown(dht)
]
writeFileSync(new URL('sim.md', out), md.join('\n'))
console.log(`\nwrote docs/results/sim.json, sim.md and plots in ${result.wallS.toFixed(0)} s`)
