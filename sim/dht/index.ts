/**
 * DHT scale simulation for outcome records: `runDhtSim({ sizes })` (called by `npm run sim`) or
 * `node sim/dht/main.ts`. For each network size and share of offline nodes it publishes records
 * (a real kad-dht put: lookup, then store at the k closest responders), takes nodes offline, and
 * looks the records up from random online nodes with kad-dht's own QueryManager. Reports hops,
 * messages, bytes, latency and success rate per lookup, next to the seed's claimed hop counts.
 */
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { rawCid } from '../../src/artifacts/index.ts'
import { DHT_SETTINGS, encodeRecord, signEntry } from '../../src/outcomes/index.ts'
import { Rng, percentile } from '../rng.ts'
import { VirtualClock } from './clock.ts'
import { classifyFailure } from './failures.ts'
import { loadKadInternals } from './kad-internals.ts'
import { lookup } from './lookup.ts'
import { SimNetwork } from './network.ts'
import type { FailureClass } from './failures.ts'
import type { LinkModel, LookupResult } from './lookup.ts'

/** Hops per lookup the seed claims (log2 N): 100 → 7 … 100,000 → 17. */
export const SEED_CLAIM: Record<number, number> = { 100: 7, 1000: 10, 10_000: 13, 100_000: 17 }

export interface DhtSimOptions {
  sizes: number[]
  quick?: boolean
  offline?: number[]
  lookups?: (n: number) => number
  link?: LinkModel
  seed?: number
  /** Routing-table trie depth (kad-dht's `prefixLength`); default: the product's (DHT_SETTINGS). */
  prefixLength?: number
  onRow?: (row: DhtSimRow) => void
}

export interface DhtSimRow {
  n: number
  prefixLength: number
  offline: number
  lookups: number
  successRate: number
  /** Lookups whose answer included the true closest online node to the key. */
  closestFoundRate: number
  hopsMean: number
  hopsP50: number
  hopsP95: number
  hopsMax: number
  messagesMean: number
  messagesP95: number
  kibMean: number
  msToValueP50: number
  msToValueP95: number
  queryMsP50: number
  putMessagesMean: number
  tableSizeMean: number
  seedClaimHops: number | null
  /** Failed lookups by class (sim/dht/failures.ts). */
  failures: Partial<Record<FailureClass, number>>
  log2N: number
  wallS: number
}

export const WAN_LINK: LinkModel = { rttMs: 80, sigma: 0.6, offlineTimeoutMs: 5000 }

const mean = (xs: number[]): number => xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b)

/** A realistic record value: three authors with two packet CIDs each, signed by the real code. */
async function sampleRecord (key: string): Promise<Uint8Array> {
  const entries = await Promise.all([0, 1, 2].map(async a => signEntry(key, await generateKeyPair('Ed25519'),
    [rawCid(new TextEncoder().encode(`p${a}a`)), rawCid(new TextEncoder().encode(`p${a}b`))], 1_700_000_000_000)))
  return encodeRecord({ v: 1, entries })
}

export interface DhtSimResult { kadDht: string, k: number, alpha: number, disjointPaths: number, prefixLength: number, link: LinkModel, rows: DhtSimRow[] }

export async function runDhtSim (options: DhtSimOptions): Promise<DhtSimResult> {
  const kad = await loadKadInternals()
  const link = options.link ?? WAN_LINK
  const offline = options.offline ?? [0, 0.1, 0.3]
  const lookups = options.lookups ?? ((n: number) => options.quick === true ? (n >= 100_000 ? 20 : 40) : (n >= 100_000 ? 50 : n >= 10_000 ? 150 : 200))
  const rows: DhtSimRow[] = []
  const record = await sampleRecord('/baobab-outcome/00000000000000000000000000000000')
  // kad-dht shuffles starting peers with Math.random: seed it so runs repeat
  const realRandom = Math.random
  const rnd = new Rng(options.seed ?? 2025)
  Math.random = () => rnd.next()
  try {
    for (const n of options.sizes) {
      const prefixLength = options.prefixLength ?? DHT_SETTINGS.prefixLength
      const net = new SimNetwork({ n, seed: (options.seed ?? 2025) + n, k: DHT_SETTINGS.kBucketSize, prefixLength })
      for (const f of offline) {
        const t0 = Date.now()
        const rng = new Rng(n * 31 + Math.round(f * 100))
        const clock = new VirtualClock()
        // the node's own settings (src/outcomes DHT_SETTINGS), not kad-dht's defaults
        const init = { kad, net, clock, link, rng, alpha: DHT_SETTINGS.alpha, disjointPaths: DHT_SETTINGS.disjointPaths }
        const gets: LookupResult[] = []
        const puts: LookupResult[] = []
        let closestFound = 0
        const tables: number[] = []
        const failures: Partial<Record<FailureClass, number>> = {}
        const count = lookups(n)
        for (let l = 0; l < count; l++) {
          net.setOffline(0, rng)
          const publisher = rng.int(n)
          const key = new TextEncoder().encode(`/baobab-outcome/${createHash('sha256').update(`${n}:${f}:${l}`).digest('hex').slice(0, 32)}`)
          const kadKey = new Uint8Array(createHash('sha256').update(key).digest())
          const put = await clock.run(lookup(init, publisher, key, kadKey, undefined, undefined))
          puts.push(put)
          const holders = new Set([publisher, ...put.closest])
          const putClosest = net.trueClosest(kadKey, net.k)
          let querier = rng.int(n)
          while (querier === publisher) querier = rng.int(n)
          net.setOffline(f, rng, [querier])
          tables.push(net.tableSize(querier))
          const get = await clock.run(lookup(init, querier, key, kadKey, holders, record))
          gets.push(get)
          if (!get.found) {
            const c = classifyFailure(net, holders, putClosest)
            failures[c] = (failures[c] ?? 0) + 1
          }
          if (get.closest[0] === net.trueClosest(kadKey, 1)[0]) closestFound++
        }
        const found = gets.filter(g => g.found)
        const hops = sorted(found.map(g => g.hopsToValue))
        const msgs = sorted(gets.map(g => g.messages))
        const row: DhtSimRow = {
          n,
          prefixLength,
          offline: f,
          lookups: count,
          successRate: found.length / gets.length,
          closestFoundRate: closestFound / gets.length,
          hopsMean: mean(hops),
          hopsP50: percentile(hops, 0.5),
          hopsP95: percentile(hops, 0.95),
          hopsMax: hops.at(-1) ?? Number.NaN,
          messagesMean: mean(msgs),
          messagesP95: percentile(msgs, 0.95),
          kibMean: mean(gets.map(g => g.bytes)) / 1024,
          msToValueP50: percentile(sorted(found.map(g => g.msToValue)), 0.5),
          msToValueP95: percentile(sorted(found.map(g => g.msToValue)), 0.95),
          queryMsP50: percentile(sorted(gets.map(g => g.durationMs)), 0.5),
          putMessagesMean: mean(puts.map(p => p.messages)),
          tableSizeMean: mean(tables),
          seedClaimHops: SEED_CLAIM[n] ?? null,
          failures,
          log2N: Math.log2(n),
          wallS: (Date.now() - t0) / 1000
        }
        rows.push(row)
        options.onRow?.(row)
      }
    }
  } finally {
    Math.random = realRandom
  }
  return {
    kadDht: kad.version,
    k: DHT_SETTINGS.kBucketSize,
    alpha: DHT_SETTINGS.alpha,
    disjointPaths: DHT_SETTINGS.disjointPaths,
    prefixLength: options.prefixLength ?? DHT_SETTINGS.prefixLength,
    link,
    rows
  }
}

export function formatRow (r: DhtSimRow): string {
  return `n=${String(r.n).padStart(6)} L=${r.prefixLength} offline ${String(Math.round(r.offline * 100)).padStart(2)}%  success ${(r.successRate * 100).toFixed(1)}%  ` +
    `hops p50 ${r.hopsP50} mean ${r.hopsMean.toFixed(2)} p95 ${r.hopsP95} max ${r.hopsMax} (seed claims ${r.seedClaimHops ?? '–'})  ` +
    `msgs ${r.messagesMean.toFixed(0)} (p95 ${r.messagesP95})  ${r.kibMean.toFixed(1)} KiB  value p50 ${r.msToValueP50.toFixed(0)} ms p95 ${r.msToValueP95.toFixed(0)} ms  ` +
    `query p50 ${r.queryMsP50.toFixed(0)} ms  table ${r.tableSizeMean.toFixed(0)}  closest ${(r.closestFoundRate * 100).toFixed(0)}%  ` +
    `failures ${JSON.stringify(r.failures)}  (${r.wallS.toFixed(1)} s)`
}
