/**
 * Outcome DHT bench: real kad-dht nodes (Baobab's protocol, outcome validator/selector) on TCP
 * loopback at 10, 30 and 60 nodes, each joined to 3 random earlier nodes. Per size: record put
 * latency, record lookup latency, hops (depth of the first peer that returned the record: peers
 * from the querier's own table are hop 1) and messages per lookup; end-to-end OutcomeService
 * publish and query (exact + 10 band keys + packet fetch). Baseline in the same run: one libp2p
 * ping round trip between connected nodes (the cost of one hop) and a local-only query.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { kadDHT } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { rawCid } from '../src/artifacts/index.ts'
import { openLibrary } from '../src/library/index.ts'
import { createPrng } from '../src/random/index.ts'
import { OutcomeDht, OutcomeRecordStore, createOutcomeService, exactKey, outcomeKadDhtInit } from '../src/outcomes/index.ts'
import { createTrust } from '../src/trust/index.ts'
import { hashEmbedder } from '../src/embedding/index.ts'
import { runLan } from './_outcomes-lan.ts'
import type { Library } from '../src/library/index.ts'
import type { OutcomeService } from '../src/outcomes/index.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'

export type Node = Libp2p<{ dht: KadDHT, ping: Ping, identify: unknown }>
export interface Member {
  node: Node
  key: PrivateKey
  library: Library
  outcomes: OutcomeService
  home: string
  /** Stops a member that is a whole node (createNode); others stop their libp2p node and library. */
  stop?: () => Promise<void>
}

const SIZES = (process.env.BENCH_OUTCOME_SIZES ?? '10,30,60').split(',').filter(x => x !== '').map(Number)
/**
 * Nodes × processes for the LAN-style runs: "60x5:node" runs whole nodes (createNode, as `baobab start`), "60x5" bare
 * libp2p + kad-dht members in the one-process run's topology.
 */
const LAN = (process.env.BENCH_OUTCOME_LAN ?? '60x5:node,60x5').split(',').filter(x => x !== '').map(x => {
  const [size, kind] = x.split(':')
  const [n, procs] = size!.split('x').map(Number) as [number, number]
  return { n, procs, product: kind === 'node' }
})
/**
 * BENCH_KAD_DEFAULTS=1: kad-dht's own α and disjoint paths (10 and 10) instead of Baobab's;
 * BENCH_KAD='{"kBucketSize":20}': other kad-dht settings (JSON) over Baobab's, for comparison.
 */
const KAD_OVERRIDE = process.env.BENCH_KAD_DEFAULTS === '1' ? { alpha: 10, disjointPaths: 10 } : JSON.parse(process.env.BENCH_KAD ?? '{}') as Record<string, number>
/** Time given to start-up work (self queries, table refreshes) before the idle CPU is measured. */
const SETTLE_MS = Number(process.env.BENCH_OUTCOME_SETTLE_MS ?? '15000')
const PROTOCOL = '/baobab-bench/outcome-packet/1'
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const r1 = (x: number): number => Math.round(x * 10) / 10

async function readAll (stream: AsyncIterable<{ subarray: () => Uint8Array }>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of stream) parts.push(c.subarray())
  return new Uint8Array(Buffer.concat(parts))
}

export async function member (): Promise<Member> {
  const home = mkdtempSync(join(tmpdir(), 'baobab-bench-outcomes-'))
  const key = await generateKeyPair('Ed25519')
  const node = await createLibp2p({
    privateKey: key,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // the bench machine is shared and loaded: long connection timeouts so that start-up dials complete
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'], dialTimeout: 60_000, addressDialTimeout: 60_000, inboundUpgradeTimeout: 60_000 },
    // replicas merge outcome records, as in the product (createNode)
    datastore: new OutcomeRecordStore(),
    services: { identify: identify(), ping: ping(), dht: kadDHT({ ...outcomeKadDhtInit({ lan: true }), ...KAD_OVERRIDE }) }
  }) as unknown as Node
  const library = openLibrary({ home })
  await node.handle(PROTOCOL, async stream => {
    const a = library.get(new TextDecoder().decode(await readAll(stream)))
    if (a != null) stream.send(a.bytes)
    await stream.close()
  })
  const outcomes = createOutcomeService({
    library,
    privateKey: key,
    embedder: hashEmbedder(),
    dht: node.services.dht,
    republishMs: 0,
    admission: createTrust({ library, privateKey: key }).admission,
    fetchPacket: async (cid, o) => {
      for (const p of o.providers ?? []) {
        const s = await node.dialProtocol(peerIdFromString(p), PROTOCOL, { signal: o.signal })
        s.send(new TextEncoder().encode(cid))
        await s.close()
        const b = await readAll(s)
        if (b.length > 0) return b
      }
      return undefined
    }
  })
  return { node, key, library, outcomes, home }
}

/** Hops and messages of one kad-dht query from its events. */
export function hopTracker (): { onProgress: (e: QueryEvent) => void, result: () => { hops: number, messages: number } } {
  const depth = new Map<string, number>()
  let hops = 0
  let messages = 0
  return {
    onProgress: e => {
      if (e.name === 'SEND_QUERY') {
        messages++
        if (!depth.has(e.to.toString())) depth.set(e.to.toString(), 1)
      } else if (e.name === 'PEER_RESPONSE') {
        const d = depth.get(e.from.toString()) ?? 1
        for (const c of e.closer) if (!depth.has(c.id.toString())) depth.set(c.id.toString(), d + 1)
        if (e.record != null && hops === 0) hops = d
      }
    },
    result: () => ({ hops, messages })
  }
}

async function runSize (n: number, rnd: () => number): Promise<Record<string, number>> {
  const members = await Promise.all(Array.from({ length: n }, member))
  for (let i = 1; i < n; i++) {
    const targets = new Set<number>()
    while (targets.size < Math.min(3, i)) targets.add(Math.floor(rnd() * i))
    for (const t of targets) await members[i]!.node.dial(members[t]!.node.getMultiaddrs()[0]!)
  }
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
  const cpu0 = process.cpuUsage()
  await new Promise(resolve => setTimeout(resolve, 10_000))
  const cpu = process.cpuUsage(cpu0)
  const idleCpu = (cpu.user + cpu.system) / 1000 / n / 10
  const t0 = performance.now()
  const puts: number[] = []
  const gets: number[] = []
  const hops: number[] = []
  const msgs: number[] = []
  let found = 0
  const keys: Array<{ key: string, from: number }> = []
  for (let r = 0; r < 5; r++) {
    const from = Math.floor(rnd() * n)
    const key = exactKey({ family: 'bench', task: `task ${n}-${r}`, tags: ['x'] })
    const dht = new OutcomeDht({ dht: members[from]!.node.services.dht, privateKey: members[from]!.key })
    const s = performance.now()
    await dht.put(key, [rawCid(new TextEncoder().encode(key))])
    puts.push(performance.now() - s)
    keys.push({ key, from })
  }
  for (let l = 0; l < 20; l++) {
    const { key, from } = keys[l % keys.length]!
    let q = Math.floor(rnd() * n)
    if (q === from) q = (q + 1) % n
    const tracker = hopTracker()
    const dht = new OutcomeDht({ dht: members[q]!.node.services.dht, privateKey: members[q]!.key })
    const s = performance.now()
    const read = await dht.get(key, { onProgress: tracker.onProgress })
    gets.push(performance.now() - s)
    const t = tracker.result()
    if (read.record != null) { found++; hops.push(t.hops) }
    msgs.push(t.messages)
  }
  // baseline: one round trip between connected peers
  const rtts: number[] = []
  for (let i = 0; i < 20; i++) {
    const m = members[1 + Math.floor(rnd() * (n - 1))]!
    const peer = m.node.getConnections()[0]!.remotePeer
    rtts.push(await m.node.services.ping.ping(peer))
  }
  // end to end through the service: publish on one node, query a similar context from another
  const ctx = { family: 'qwen2.5-0.5b', task: 'clinical note summarisation', tags: ['medical'] }
  const pubStart = performance.now()
  await members[0]!.outcomes.publish({ ...ctx, benchmark: 'rouge-l', baseline: 0.3, score: 0.36, method: 'lora', params: { r: 16 }, nEval: 300, confidence: 0.9, dataScale: 'm' })
  const publishMs = performance.now() - pubStart
  const asker = members[n - 1]!.outcomes
  const qStart = performance.now()
  const res = await asker.query({ ...ctx, task: "summarising doctor's notes" })
  const queryMs = performance.now() - qStart
  const lStart = performance.now()
  await asker.query({ ...ctx, task: "summarising doctor's notes" }, { local: true })
  const localQueryMs = performance.now() - lStart
  const out = {
    [`n${n}IdleCpuMsPerNodePerS`]: r1(idleCpu),
    [`n${n}PutP50Ms`]: r1(pct(puts, 0.5)),
    [`n${n}PutP95Ms`]: r1(pct(puts, 0.95)),
    [`n${n}GetP50Ms`]: r1(pct(gets, 0.5)),
    [`n${n}GetP95Ms`]: r1(pct(gets, 0.95)),
    [`n${n}HopsMean`]: r1(mean(hops)),
    [`n${n}HopsMax`]: Math.max(0, ...hops),
    [`n${n}MessagesMean`]: r1(mean(msgs)),
    [`n${n}SuccessRate`]: found / 20,
    [`n${n}PingRttP50Ms`]: r1(pct(rtts, 0.5)),
    [`n${n}ServicePublishMs`]: r1(publishMs),
    [`n${n}ServiceQueryMs`]: r1(queryMs),
    [`n${n}ServiceQueryMatches`]: res.matches.length,
    [`n${n}LocalQueryMs`]: r1(localQueryMs),
    [`n${n}WallS`]: r1((performance.now() - t0) / 1000)
  }
  console.log(`${n} nodes: put p50 ${out[`n${n}PutP50Ms`]} ms, get p50 ${out[`n${n}GetP50Ms`]} ms (p95 ${out[`n${n}GetP95Ms`]}), hops ${out[`n${n}HopsMean`]} (max ${out[`n${n}HopsMax`]}), ${out[`n${n}MessagesMean`]} messages, success ${found}/20; ping ${out[`n${n}PingRttP50Ms`]} ms; service publish ${out[`n${n}ServicePublishMs`]} ms, query ${out[`n${n}ServiceQueryMs`]} ms (${res.matches.length} matches), local query ${out[`n${n}LocalQueryMs`]} ms`)
  await Promise.all(members.map(async m => {
    await m.node.stop()
    m.library.close()
    rmSync(m.home, { recursive: true, force: true })
  }))
  return out
}

export async function run (): Promise<Record<string, unknown>> {
  const rnd = createPrng(12345).next
  const figures: Record<string, unknown> = { sizes: SIZES.join(','), topology: 'each node dials 3 random earlier nodes', lsh: '10 bands × 5 bits' }
  for (const n of SIZES) Object.assign(figures, await runSize(n, rnd))
  for (const { n, procs, product } of LAN) {
    const t0 = performance.now()
    const s = await runLan(n, procs, rnd, SETTLE_MS, product)
    const p = `${product ? 'node' : 'lan'}${n}x${procs}`
    const out = {
      [`${p}IdleCpuMsPerNodePerS`]: r1(s.idleCpuMsPerNodePerS),
      [`${p}PutP50Ms`]: r1(pct(s.puts, 0.5)),
      [`${p}PutP95Ms`]: r1(pct(s.puts, 0.95)),
      [`${p}GetP50Ms`]: r1(pct(s.gets, 0.5)),
      [`${p}GetP95Ms`]: r1(pct(s.gets, 0.95)),
      [`${p}HopsMean`]: r1(mean(s.hops)),
      [`${p}MessagesMean`]: r1(mean(s.msgs)),
      [`${p}SuccessRate`]: s.found / s.gets.length,
      [`${p}ServicePublishP50Ms`]: r1(pct(s.publishes, 0.5)),
      [`${p}ServicePublishP95Ms`]: r1(pct(s.publishes, 0.95)),
      [`${p}ServiceQueryP50Ms`]: r1(pct(s.queries, 0.5)),
      [`${p}ServiceQueryP95Ms`]: r1(pct(s.queries, 0.95)),
      [`${p}ServiceQueryMatchesMin`]: Math.min(...s.matches),
      [`${p}WallS`]: r1((performance.now() - t0) / 1000)
    }
    console.log(`${n} ${product ? 'whole nodes' : 'members'} in ${procs} processes: ${JSON.stringify(out)}`)
    Object.assign(figures, out)
  }
  // the 60-node run over processes is the measured one (whole nodes when run): the one-process run of the same size,
  // and the bare members' run beside the whole nodes', are its baselines
  const lan = LAN.find(l => l.n === 60 && l.product) ?? LAN.find(l => l.n === 60)
  if (lan != null) {
    const p = `${lan.product ? 'node' : 'lan'}${lan.n}x${lan.procs}`
    figures.targets = { [`${p}GetP95Ms`]: '< 1000', [`${p}ServicePublishP95Ms`]: '< 2000', [`${p}SuccessRate`]: '≥ 0.95' }
  }
  return figures
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2))
}
