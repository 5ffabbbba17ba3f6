/** The DHT section of docs/results/sim.md, written from a `runDhtSim` result. */
import { FAILURE_CAUSES } from './failures.ts'
import type { FailureClass } from './failures.ts'
import type { DhtSimResult } from './index.ts'

const pct = (x: number): string => `${Math.round(x * 100)}%`

export function dhtMarkdown (r: DhtSimResult): string[] {
  const rows = r.rows
  const counts = [...new Set(rows.map(x => `${x.n.toLocaleString('en')} nodes: ${x.lookups} lookups`))]
  const failed = rows.filter(x => x.successRate < 1)
  const classes = [...new Set(failed.flatMap(x => Object.keys(x.failures) as FailureClass[]))]
  return [
    '## DHT lookups (outcome records)', '',
    `Lookups over the real kad-dht ${r.kadDht} routing tables and query logic on a simulated WAN (${r.link.rttMs} ms median RTT, ` +
    `log-normal σ ${r.link.sigma}); an RPC to an offline node fails after ${r.link.offlineTimeoutMs / 1000} s. ` +
    `Settings are the node's own (\`DHT_SETTINGS\` in src/outcomes/constants.ts): k = ${r.k}, α = ${r.alpha}, ${r.disjointPaths} disjoint paths, ` +
    `${r.prefixLength} prefix bits. Each lookup: a random node puts a record (lookup, then store at the k closest responders) with every node online, ` +
    'then the given share of nodes goes offline and another random online node gets it. ' +
    `Lookups per row: ${counts.join(', ')}.`, '',
    '| nodes | offline | lookups | success | closest found | hops p50 | hops mean | hops p95 | hops max | seed claim | messages | KiB | ms to value p50 | ms p95 | failures |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(x => `| ${x.n} | ${pct(x.offline)} | ${x.lookups} | ${(x.successRate * 100).toFixed(1)}% | ${pct(x.closestFoundRate)} | ${x.hopsP50} | ` +
      `${x.hopsMean.toFixed(2)} | ${x.hopsP95} | ${x.hopsMax} | ${x.seedClaimHops ?? '–'} | ${x.messagesMean.toFixed(0)} | ${x.kibMean.toFixed(1)} | ` +
      `${x.msToValueP50.toFixed(0)} | ${x.msToValueP95.toFixed(0)} | ${x.lookups - Math.round(x.successRate * x.lookups)} |`),
    '',
    'Hops count the depth at which the replica holder was first learned: a peer from the querier\'s own table is hop 1. ' +
    `Modelled tables hold ${[...new Set(rows.map(x => `${Math.round(x.tableSizeMean).toLocaleString('en')} contacts at ${x.n.toLocaleString('en')} nodes`))].join(', ')} ` +
    `(at most k × 2^${r.prefixLength} = ${(r.k * 2 ** r.prefixLength).toLocaleString('en')}): a large share of the network, so the querier often knows a ` +
    'replica holder already. The seed\'s claim is log2 N hops.', '',
    ...(failed.length === 0
      ? ['Failures: none in this run.']
      : [
          'Failures, by class:', '',
          '| nodes | offline | ' + classes.join(' | ') + ' |', '|---|---|' + classes.map(() => '---|').join(''),
          ...failed.map(x => `| ${x.n} | ${pct(x.offline)} | ` + classes.map(c => String(x.failures[c] ?? 0)).join(' | ') + ' |'), '',
          ...classes.map(c => `- \`${c}\`: ${FAILURE_CAUSES[c]}.`)
        ]),
    '',
    ...rows.filter(x => x.offline === 0.1 && x.n >= 10_000).map(x =>
      `Target ≥ 95% of lookups at ${x.n.toLocaleString('en')} nodes with 10% offline: ${(x.successRate * 100).toFixed(1)}% ${x.successRate >= 0.95 ? '✓' : '✗'}.`),
    '', '![DHT hops](sim-dht-hops.svg)', ''
  ]
}
