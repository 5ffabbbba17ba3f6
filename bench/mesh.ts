/**
 * Mesh bench (loopback only, bounded loops):
 * - propagation: 20 and 50 nodes in one process over TCP 127.0.0.1, each dialling up to 6
 *   earlier ones; a random node announces, every other node's receipt time is recorded
 *   (p50/p99 over 10 announcements);
 * - idle memory: RSS growth per node while those nodes sit connected and idle;
 * - sync bytes: two libraries of 10,000 artifacts differing by 0/10/100/1000, bytes of the real
 *   `/baobab/sync/1` frames;
 * - transfer: a 64 MiB adapter fetched over TCP loopback, every chunk verified and stored, next to
 *   a raw libp2p stream copy (no verification: the ceiling) and Helia bitswap moving the same bytes
 *   (the reference), best of two runs each.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { CID } from 'multiformats/cid'
import { CHUNK_SIZE, createArtifact } from '../src/artifacts/index.ts'
import { openLibrary } from '../src/library/index.ts'
import { WRITE_SIZE } from '../src/mesh/constants.ts'
import { createMesh } from '../src/mesh/index.ts'
import { createTrust } from '../src/trust/index.ts'
import { StreamReader, frame, sendAll } from '../src/mesh/stream-io.ts'
import type { SignedArtifact } from '../src/artifacts/index.ts'
import type { Library } from '../src/library/index.ts'
import type { Mesh, MeshInit } from '../src/mesh/index.ts'
import type { PrivateKey } from '@libp2p/interface'

const TCP = ['/ip4/127.0.0.1/tcp/0']
const QUIET: MeshInit = { listen: TCP, mdns: false, syncOnConnect: false, autoFetch: false, syncIntervalMs: 0, watchIntervalMs: 0 }
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d
const mbps = (bytes: number, ms: number): number => round(bytes / 1e6 / (ms / 1000))

interface Node { mesh: Mesh, library: Library, home: string }

async function startNode (init: MeshInit = {}, key?: PrivateKey): Promise<Node> {
  const home = mkdtempSync(join(tmpdir(), 'baobab-bench-mesh-'))
  const library = openLibrary({ home })
  const privateKey = key ?? await generateKeyPair('Ed25519')
  // every received artifact goes through the trust pipeline, as in the product
  const admission = createTrust({ library, privateKey }, { policy: 'open', shareVotes: false }).admission
  const mesh = createMesh({ privateKey, library, admission }, { ...QUIET, ...init })
  await mesh.start()
  return { mesh, library, home }
}

async function stopAll (nodes: Node[]): Promise<void> {
  await Promise.all(nodes.map(async n => { await n.mesh.stop(); n.library.close(); rmSync(n.home, { recursive: true, force: true }) }))
}

function percentile (xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN
}

async function until (pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end) return false
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return true
}

async function outcome (key: PrivateKey, i: number): Promise<SignedArtifact> {
  const score = 0.5 + (i % 997) / 10_000
  return createArtifact('outcome', {
    family: 'llama', task: `task ${i}`, tags: ['bench'], dataScale: 's', benchmark: 'acc',
    baseline: 0.5, score, delta: score - 0.5, method: 'lora', params: { r: 4 }, heldOut: true, nEval: 100, confidence: 0.9
  }, key, { created: 1_700_000_000_000 + i })
}

async function propagation (n: number, announcements = 10): Promise<Record<string, number | string>> {
  // a forced GC before any node exists (the sync-cost run leaves garbage behind); the next one
  // only after the latency measurement (a long pause can make libp2p drop connections)
  global.gc?.()
  const rss0 = process.memoryUsage().rss
  const nodes: Node[] = []
  for (let i = 0; i < n; i++) nodes.push(await startNode())
  const addr = (x: Node): string => x.mesh.multiaddrs()[0] as string
  for (let i = 1; i < n; i++) {
    const targets = [...Array(i).keys()].sort(() => Math.random() - 0.5).slice(0, 6)
    await Promise.all(targets.map(async t => nodes[i]!.mesh.dial(addr(nodes[t]!))))
  }
  const meanConns = (): number => nodes.reduce((s, x) => s + x.mesh.peers().length, 0) / n
  const connsAfterDial = meanConns()
  const topic = '/baobab/default/announce/1'
  const ready = await until(() => nodes.every(x => x.mesh.libp2p.services.pubsub.getSubscribers(topic).length >= Math.min(x.mesh.peers().length, 1)), 30_000)
  await new Promise(resolve => setTimeout(resolve, 2500)) // two gossipsub heartbeats: mesh grafted
  const key = await generateKeyPair('Ed25519')
  const latencies: number[] = []
  let missed = 0
  for (let k = 0; k < announcements; k++) {
    const art = await outcome(key, 10_000_000 + n * 100 + k)
    const cid = art.cid.toString()
    const from = nodes[Math.floor(Math.random() * n)]!
    const seen = new Map<Mesh, number>()
    const offs = nodes.filter(x => x !== from).map(x => x.mesh.on('announcement', a => { if (a.cid === cid && !seen.has(x.mesh)) seen.set(x.mesh, performance.now()) }))
    const t0 = performance.now()
    await from.mesh.announce(art)
    await until(() => seen.size >= n - 1, 5000)
    for (const off of offs) off()
    for (const t of seen.values()) latencies.push(t - t0)
    missed += n - 1 - seen.size
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  const conns = meanConns()
  // idle memory: after the announcements, collected, with every node still running
  global.gc?.()
  await new Promise(resolve => setTimeout(resolve, 1000))
  const idleRss = process.memoryUsage().rss
  await stopAll(nodes)
  return {
    [`propagation${n}P50Ms`]: round(percentile(latencies, 50)),
    [`propagation${n}P99Ms`]: round(percentile(latencies, 99)),
    [`propagation${n}MaxMs`]: round(Math.max(...latencies)),
    [`propagation${n}Delivered`]: round(latencies.length / (latencies.length + missed), 4),
    [`propagation${n}MeanConnections`]: round(conns),
    [`propagation${n}MeanConnectionsAfterDial`]: round(connsAfterDial),
    [`propagation${n}SubscribersReady`]: ready ? 1 : 0,
    [`idleNodeRssMB${n}`]: global.gc != null ? round((idleRss - rss0) / n / 2 ** 20) : 'n/a (run with --expose-gc)'
  }
}

async function syncBytes (): Promise<Record<string, unknown>> {
  const key = await generateKeyPair('Ed25519')
  const size = 10_000
  const t0 = performance.now()
  const items: SignedArtifact[] = []
  for (let i = 0; i < size; i++) items.push(await outcome(key, i))
  const makeMs = performance.now() - t0
  const a = await startNode()
  a.library.putMany(items.map(artifact => ({ artifact })))
  const out: Record<string, unknown> = {}
  const curve: Array<{ diff: number, bytes: number, rounds: number, ms: number }> = []
  for (const diff of [0, 10, 100, 1000]) {
    const b = await startNode()
    const step = diff === 0 ? Infinity : size / diff
    b.library.putMany(items.filter((_, i) => diff === 0 || i % step !== Math.floor(step / 2)).map(artifact => ({ artifact })))
    const r = await b.mesh.syncWith(a.mesh.multiaddrs()[0] as string, { fetch: false })
    if (r.need.length !== diff) throw new Error(`sync found ${r.need.length} differences, expected ${diff}`)
    const bytes = r.bytesSent + r.bytesReceived
    out[`syncBytesDiff${diff}`] = bytes
    curve.push({ diff, bytes, rounds: r.rounds, ms: round(r.ms) })
    await stopAll([b])
  }
  await stopAll([a])
  console.log('sync bytes on the wire, 10,000 artifacts each side:')
  for (const c of curve) console.log(`  diff ${String(c.diff).padStart(5)}: ${String(c.bytes).padStart(7)} B in ${c.rounds} round(s), ${c.ms} ms`)
  out.syncCurve = curve
  out.syncBytesPerDifference100 = round((out.syncBytesDiff100 as number) / 100)
  out.syncLibraryBuildMs = round(makeMs, 0)
  return out
}

function deterministic (size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  let x = seed
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    out[i] = x & 255; out[i + 1] = (x >>> 8) & 255; out[i + 2] = (x >>> 16) & 255; out[i + 3] = (x >>> 24) & 255
  }
  return out
}

async function ourTransfer (bytes: Uint8Array, seed: number): Promise<number> {
  const key = await generateKeyPair('Ed25519')
  const a = await startNode({}, key)
  const file = join(a.home, 'w.bin')
  writeFileSync(file, bytes)
  const { chunks, bytes: size } = await a.library.putBlobFile(file)
  const art = await createArtifact('adapter', {
    name: `bench-${seed}`, domain: 'bench', description: '64 MiB', base: { family: 'llama', model: 'bench' }, format: 'gguf-lora',
    rank: 8, alpha: 16, targets: ['attn_q'], bytes: size, chunks: chunks.map(c => CID.parse(c)), exemplars: [], license: 'MIT'
  }, key)
  a.library.put(art)
  const b = await startNode()
  await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
  const t0 = performance.now()
  const r = await b.mesh.fetch(art.cid.toString(), { providers: [a.mesh.peerId] })
  const ms = performance.now() - t0
  if (r.outcome !== 'admitted' || r.chunks?.fetched !== chunks.length) throw new Error('transfer incomplete')
  await stopAll([a, b])
  return ms
}

async function rawTransfer (bytes: Uint8Array): Promise<number> {
  const a = await startNode()
  const b = await startNode()
  await a.mesh.libp2p.handle('/baobab-bench/raw/1', async stream => {
    await new StreamReader(stream, 'raw').readFrame(16)
    await sendAll(stream, bytes, { writeSize: WRITE_SIZE })
    await stream.close()
  })
  const s = await b.mesh.libp2p.dialProtocol(a.mesh.libp2p.getMultiaddrs()[0]!, '/baobab-bench/raw/1')
  const reader = new StreamReader(s, 'raw')
  const t0 = performance.now()
  s.send(frame(new Uint8Array([1])))
  let n = 0
  for await (const piece of reader.rest()) n += piece.length
  const ms = performance.now() - t0
  if (n !== bytes.length) throw new Error(`raw copy moved ${n} bytes`)
  await stopAll([a, b])
  return ms
}

async function transfer (): Promise<Record<string, unknown>> {
  const size = 64 * CHUNK_SIZE
  const out: Record<string, unknown> = { transferBytes: size }
  const runs: Record<string, number[]> = { ours: [], raw: [], helia: [] }
  const heliaDir = new URL('./helia/node_modules/helia/package.json', import.meta.url)
  let helia: { heliaTransfer: (blocks: Uint8Array[]) => Promise<{ ms: number, bytes: number }>, heliaVersion: () => string } | undefined
  if (existsSync(heliaDir)) {
    try {
      helia = await import('./helia/bitswap-baseline.ts')
      out.baselineImpl = `helia ${helia.heliaVersion()} bitswap (libp2p 3 TCP+Noise+Yamux, loopback)`
    } catch (err) {
      out.baselineNote = `Helia could not be loaded: ${(err as Error).message}`
    }
  } else {
    out.baselineNote = 'Helia is not installed: run `cd bench/helia && npm install` (kept out of the product install)'
  }
  for (let rep = 0; rep < 2; rep++) {
    const bytes = deterministic(size, 1000 + rep)
    runs.raw!.push(await rawTransfer(bytes))
    runs.ours!.push(await ourTransfer(bytes, rep))
    if (helia != null) {
      const blocks = Array.from({ length: 64 }, (_, i) => bytes.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE))
      try {
        const r = await helia.heliaTransfer(blocks)
        if (r.bytes !== size) throw new Error(`helia moved ${r.bytes} bytes`)
        runs.helia!.push(r.ms)
      } catch (err) {
        out.baselineNote = `Helia transfer failed: ${(err as Error).message}`
        helia = undefined
      }
    }
  }
  const best = (xs: number[]): number => Math.min(...xs)
  out.transferMBps = mbps(size, best(runs.ours!))
  out.rawMBps = mbps(size, best(runs.raw!))
  out.baselineMBps = runs.helia!.length > 0 ? mbps(size, best(runs.helia!)) : null
  out.transferRunsMBps = runs.ours!.map(ms => mbps(size, ms))
  out.rawRunsMBps = runs.raw!.map(ms => mbps(size, ms))
  out.baselineRunsMBps = runs.helia!.map(ms => mbps(size, ms))
  out.transferVsRaw = round((out.transferMBps as number) / (out.rawMBps as number), 2)
  if (out.baselineMBps != null) out.transferVsBaseline = round((out.transferMBps as number) / (out.baselineMBps as number), 2)
  return out
}

export async function run (): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { transport: 'TCP 127.0.0.1 + Noise + Yamux, all nodes in one process' }
  // MESH_BENCH=transfer,sync,propagation runs a subset (default: all)
  const parts = new Set((process.env.MESH_BENCH ?? 'transfer,sync,propagation').split(','))
  if (parts.has('transfer')) Object.assign(out, await transfer())
  if (parts.has('sync')) Object.assign(out, await syncBytes())
  if (parts.has('propagation')) {
    Object.assign(out, await propagation(20))
    Object.assign(out, await propagation(50))
    out.idleNodeRssMB = out.idleNodeRssMB50
  }
  out.targets = {
    propagation50P99Ms: '< 1000',
    syncBytesDiff10: '< 50000',
    transferVsBaseline: '≥ 1.5',
    transferVsRaw: '≥ 0.7'
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run()
  console.log(JSON.stringify(r, null, 2))
}
