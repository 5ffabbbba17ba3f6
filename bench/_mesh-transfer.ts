/**
 * Transfer figures of the mesh bench, all over TCP+Noise+Yamux on 127.0.0.1:
 * - 64 MiB adapter fetched and verified (every chunk hashed and stored) next to a raw libp2p
 *   stream copy (no verification: the ceiling) and Helia bitswap moving the same bytes (the
 *   reference; installed into bench/helia on first use, outside the product's dependencies),
 *   all three in one process, interleaved, `TRANSFER_REPS` times each, best reported;
 * - swarming: one fetcher, the adapter held by one or by four seeders (each its own process);
 * - resume: the fetching node (its own process) killed with SIGKILL at half the chunks, restarted.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { CHUNK_SIZE, loadOrCreateIdentity } from '../src/artifacts/index.ts'
import { openLibrary } from '../src/library/index.ts'
import { WRITE_SIZE } from '../src/mesh/constants.ts'
import { StreamReader, frame, sendAll } from '../src/mesh/stream-io.ts'
import { spawnMeshNode } from '../test/helpers/mesh-process.ts'
import { benchHome, deterministic, mbps, putAdapter, round, startNode, stopAll } from './_mesh-common.ts'
import { loraBytes } from '../test/mesh/helpers.ts'
import type { MeshProcess } from '../test/helpers/mesh-process.ts'

const SIZE = 64 * CHUNK_SIZE
const best = (xs: number[]): number => Math.min(...xs)

/**
 * One verified fetch of `bytes` (a real LoRA file): `ms` until the last chunk is verified and
 * stored (what Helia's bitswap and the raw copy do too), `totalMs` until the trust pipeline has
 * also screened and decided the adapter (reported apart: it is policy, not transfer).
 */
async function ourTransfer (bytes: Uint8Array, seed: number): Promise<{ ms: number, totalMs: number, status: string }> {
  const key = await generateKeyPair('Ed25519')
  const a = await startNode({}, key)
  const art = await putAdapter(a.library, bytes, key, `bench-${seed}`)
  const b = await startNode()
  await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
  let lastChunk = 0
  const t0 = performance.now()
  const r = await b.mesh.fetch(art.cid.toString(), {
    providers: [a.mesh.peerId],
    onProgress: e => { if (e.type === 'chunk:verified') lastChunk = performance.now() }
  })
  const totalMs = performance.now() - t0
  const chunks = (art.envelope.body as { chunks: unknown[] }).chunks.length
  if (r.outcome !== 'admitted' || r.chunks?.fetched !== chunks) throw new Error(`transfer incomplete: ${r.chunks?.fetched ?? 0} of ${chunks} chunks`)
  await stopAll([a, b])
  return { ms: lastChunk - t0, totalMs, status: r.status ?? 'unknown' }
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

interface Helia { heliaTransfer: (blocks: Uint8Array[]) => Promise<{ ms: number, bytes: number }>, heliaVersion: () => string }

/** The Helia reference, installed with `npm ci` in bench/helia when missing; throws if it cannot be. */
async function loadHelia (): Promise<Helia> {
  const dir = fileURLToPath(new URL('./helia/', import.meta.url))
  if (!existsSync(`${dir}node_modules/helia/package.json`)) {
    console.log('installing the Helia baseline (npm ci in bench/helia, outside the product install)…')
    try {
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' })
    } catch (err) {
      throw new Error(`the Helia baseline could not be installed (npm ci in ${dir}): ${(err as Error).message}`, { cause: err })
    }
  }
  return await import('./helia/bitswap-baseline.ts') as Helia
}

export async function transfer (reps = Number(process.env.TRANSFER_REPS ?? 3)): Promise<Record<string, unknown>> {
  const helia = await loadHelia()
  // a real LoRA file of about 64 MiB (its GGUF layout decides the exact size)
  const n = loraBytes(SIZE, 1000).length
  const out: Record<string, unknown> = { transferBytes: n, baselineImpl: `helia ${helia.heliaVersion()} bitswap (libp2p 3 TCP+Noise+Yamux, loopback)` }
  const runs: Record<'ours' | 'oursAdmitted' | 'raw' | 'helia', number[]> = { ours: [], oursAdmitted: [], raw: [], helia: [] }
  const statuses = new Set<string>()
  for (let rep = 0; rep < reps; rep++) {
    // a real LoRA file, so the admission that follows the transfer screens what a user would send
    const bytes = loraBytes(SIZE, 1000 + rep)
    runs.raw.push(await rawTransfer(bytes))
    const ours = await ourTransfer(bytes, rep)
    runs.ours.push(ours.ms)
    runs.oursAdmitted.push(ours.totalMs)
    statuses.add(ours.status)
    if (bytes.length !== n) throw new Error(`LoRA file of ${bytes.length} bytes, expected ${n}`)
    const r = await helia.heliaTransfer(Array.from({ length: Math.ceil(n / CHUNK_SIZE) }, (_, i) => bytes.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE)))
    if (r.bytes !== n) throw new Error(`the Helia baseline moved ${r.bytes} of ${n} bytes`)
    runs.helia.push(r.ms)
  }
  out.transferMBps = mbps(n, best(runs.ours))
  out.rawMBps = mbps(n, best(runs.raw))
  out.baselineMBps = mbps(n, best(runs.helia))
  out.transferRunsMBps = runs.ours.map(ms => mbps(n, ms))
  out.transferAdmittedMBps = mbps(n, best(runs.oursAdmitted))
  out.transferAdmissionMs = round(best(runs.oursAdmitted) - best(runs.ours), 0)
  out.transferAdmittedStatus = [...statuses].join(',')
  out.rawRunsMBps = runs.raw.map(ms => mbps(n, ms))
  out.baselineRunsMBps = runs.helia.map(ms => mbps(n, ms))
  out.transferVsRaw = round((out.transferMBps as number) / (out.rawMBps as number), 2)
  out.transferVsBaseline = round((out.transferMBps as number) / (out.baselineMBps as number), 2)
  return out
}

/** One fetcher in this process; the adapter on one or four seeders, each in its own process. */
export async function swarm (reps = 2): Promise<Record<string, unknown>> {
  const key = await generateKeyPair('Ed25519')
  const bytes = deterministic(SIZE, 7)
  const homes = [0, 1, 2, 3].map(() => benchHome())
  let art
  for (const home of homes) {
    const lib = openLibrary({ home })
    art = await putAdapter(lib, bytes, key, 'swarm', art)
    lib.close()
  }
  const cid = art!.cid.toString()
  const seeders: MeshProcess[] = []
  try {
    for (const home of homes) seeders.push(await spawnMeshNode(home))
    const once = async (from: MeshProcess[]): Promise<{ ms: number, peers: number }> => {
      const f = await startNode()
      try {
        for (const s of from) await f.mesh.dial(s.addr)
        const t0 = performance.now()
        const r = await f.mesh.fetch(cid, { providers: from.map(s => s.peer) })
        const ms = performance.now() - t0
        if (r.chunks?.fetched !== SIZE / CHUNK_SIZE) throw new Error('swarm transfer incomplete')
        return { ms, peers: Object.keys(r.chunks.byPeer).length }
      } finally {
        await stopAll([f])
      }
    }
    const one: number[] = []
    const four: number[] = []
    let used = 0
    for (let rep = 0; rep < reps; rep++) {
      one.push((await once(seeders.slice(0, 1))).ms)
      const r = await once(seeders)
      four.push(r.ms)
      used = Math.min(used === 0 ? 4 : used, r.peers)
    }
    return {
      swarm1MBps: mbps(SIZE, best(one)),
      swarm4MBps: mbps(SIZE, best(four)),
      swarm1RunsMBps: one.map(ms => mbps(SIZE, ms)),
      swarm4RunsMBps: four.map(ms => mbps(SIZE, ms)),
      swarm4SeedersUsed: used,
      swarm4VsSwarm1: round(best(one) / best(four), 2)
    }
  } finally {
    await Promise.all(seeders.map(async s => s.stop()))
    for (const h of homes) rmSync(h, { recursive: true, force: true })
  }
}

/** SIGKILL of the fetching process at ~50% of the chunks, then a restart on the same home. */
export async function resume (): Promise<Record<string, unknown>> {
  const key = await generateKeyPair('Ed25519')
  const a = await startNode({}, key)
  // a real LoRA file, so the trust pipeline admits it and the library check can ask for 'trusted'
  const art = await putAdapter(a.library, loraBytes(SIZE, 99), key, 'resume')
  const cid = art.cid.toString()
  const chunks = (art.envelope.body as { chunks: Array<{ toString: () => string }> }).chunks.map(String)
  const total = chunks.length
  const home = benchHome()
  const child = await spawnMeshNode(home)
  try {
    child.send(`dial ${a.mesh.multiaddrs()[0] as string}`)
    await child.next(r => r.dialed != null)
    child.send(`fetch ${cid} ${a.mesh.peerId.toString()}`)
    await child.next(r => typeof r.verified === 'number' && r.verified >= total / 2)
  } finally {
    // answers to requests the child had pipelined are not counted: only what is served after
    const gone = new Promise<void>(resolve => { const off = a.mesh.on('peer:disconnected', d => { if (d.peer === child.peer) { off(); resolve() } }) })
    await child.kill()
    await gone
  }
  let served = 0
  a.mesh.on('fetch:served', e => { if (e.cid !== cid) served++ })
  const b = await startNode({}, (await loadOrCreateIdentity(home)).privateKey, home)
  try {
    const present = chunks.filter(c => b.library.blobs.has(c)).length
    await b.mesh.dial(a.mesh.multiaddrs()[0] as string)
    const t0 = performance.now()
    const r = await b.mesh.fetch(cid, { providers: [a.mesh.peerId] })
    const ms = performance.now() - t0
    let intact = 0
    for (const c of chunks) if (await b.library.blobs.verify(c)) intact++
    return {
      resumePresentAtKill: round(present / total, 3),
      resumeRefetchedShare: round(served / total, 3),
      resumeMs: round(ms, 0),
      resumeLibraryConsistent: r.outcome === 'admitted' && intact === total && b.library.get(cid)?.status === 'trusted' ? 1 : 0
    }
  } finally {
    await stopAll([a, b])
  }
}
