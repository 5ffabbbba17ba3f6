/**
 * Real nodes for mesh tests: a real SQLite library in a temp home, a real libp2p node, and the
 * real trust pipeline as its admission (the `open` policy: what passes the screens is trusted).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { encodeGgufLora } from '../../src/adapters/index.ts'
import { GGUF_TYPE } from '../../src/adapters/gguf-format.ts'
import { createArtifact } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { createMesh } from '../../src/mesh/index.ts'
import { createTrust } from '../../src/trust/index.ts'
import type { LoraAdapter, LoraTarget } from '../../src/adapters/index.ts'
import type { Trust } from '../../src/trust/index.ts'
import type { SignedArtifact } from '../../src/artifacts/index.ts'
import type { Library } from '../../src/library/index.ts'
import type { Mesh, MeshInit, MeshEvents } from '../../src/mesh/index.ts'
import type { PrivateKey } from '@libp2p/interface'

let counter = 0
export const run = `${process.pid}-${Date.now().toString(36)}`

export interface TestNode {
  home: string
  key: PrivateKey
  library: Library
  trust: Trust
  mesh: Mesh
  /** Stops the mesh and closes the library; keeps the home unless `remove`. */
  close(remove?: boolean): Promise<void>
}

export function tempHome (): string {
  return mkdtempSync(join(tmpdir(), 'baobab-mesh-'))
}

export function memoryAddr (): string {
  return `/memory/baobab-${run}-${counter++}`
}

/** The trust pipeline mesh tests admit with: `open` (screens decide), own votes kept private. */
export function testTrust (library: Library, key: PrivateKey): Trust {
  return createTrust({ library, privateKey: key }, { policy: 'open', shareVotes: false })
}

export async function startNode (init: MeshInit & { home?: string, key?: PrivateKey, memory?: boolean } = {}): Promise<TestNode> {
  const home = init.home ?? tempHome()
  const key = init.key ?? await generateKeyPair('Ed25519')
  const library = openLibrary({ home })
  const trust = testTrust(library, key)
  const listen = init.listen ?? [init.memory === false ? '/ip4/127.0.0.1/tcp/0' : memoryAddr()]
  const mesh = createMesh({ privateKey: key, library, admission: trust.admission }, {
    mdns: false, syncIntervalMs: 0, watchIntervalMs: 0, ...init, listen
  })
  await mesh.start()
  return {
    home,
    key,
    library,
    trust,
    mesh,
    async close (remove = true) {
      await mesh.stop()
      library.close()
      if (remove) rmSync(home, { recursive: true, force: true })
    }
  }
}

/** Resolves with the first event of `type` that satisfies `pred`. */
export async function waitFor<K extends keyof MeshEvents> (mesh: Mesh, type: K, pred: (d: MeshEvents[K]) => boolean = () => true): Promise<MeshEvents[K]> {
  return new Promise(resolve => {
    const off = mesh.on(type, d => { if (pred(d)) { off(); resolve(d) } })
  })
}

/** Deterministic pseudo-random bytes (xorshift). */
export function deterministicBytes (size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

/** One rank-4 `attn_q` target per layer, 1024×1024, small deterministic values (ΔW norms ≪ the screen's bounds). */
const LORA_DIM = 1024
const LORA_RANK = 4
const LORA_TARGET_BYTES = 4 * 2 * LORA_RANK * LORA_DIM

/**
 * A real GGUF LoRA file of about `size` bytes (a little under it, never a chunk less), distinct
 * per seed: as many 1024×1024 rank-4 `attn_q` layers as fit, then a metadata string of
 * deterministic letters filling the rest. The trust screens parse it and pass it.
 */
export function loraBytes (size: number, seed = 1): Uint8Array {
  const noise = deterministicBytes(size, seed)
  const layers = Math.max(1, Math.floor((size - 4096) / LORA_TARGET_BYTES))
  const targets: LoraTarget[] = []
  let at = 0
  const matrix = (rows: number, cols: number): { rows: number, cols: number, data: Float32Array } => {
    const data = new Float32Array(rows * cols)
    for (let i = 0; i < data.length; i++) data[i] = ((noise[at++ % noise.length] as number) - 127.5) / 127.5e3
    return { rows, cols, data }
  }
  for (let l = 0; l < layers; l++) {
    targets.push({ name: `blk.${l}.attn_q.weight`, a: matrix(LORA_RANK, LORA_DIM), b: matrix(LORA_DIM, LORA_RANK), rank: LORA_RANK, alpha: LORA_RANK, scale: 1 })
  }
  const kv = (pad: string): LoraAdapter['ggufKv'] => [
    { key: 'general.architecture', type: GGUF_TYPE.STRING, value: 'llama' },
    { key: 'general.type', type: GGUF_TYPE.STRING, value: 'adapter' },
    { key: 'adapter.type', type: GGUF_TYPE.STRING, value: 'lora' },
    { key: 'adapter.lora.alpha', type: GGUF_TYPE.FLOAT32, value: LORA_RANK },
    { key: 'general.description', type: GGUF_TYPE.STRING, value: pad }
  ]
  const adapter = (pad: string): LoraAdapter => ({ format: 'memory', frame: 'gguf', arch: 'llama', baseModel: 'tiny', fanInFanOut: false, targets, extras: [], warnings: [], ggufKv: kv(pad) })
  const bare = encodeGgufLora(adapter('x')).length
  const padLength = Math.max(1, size - bare - 32)
  const pad = Array.from(noise.subarray(0, padLength), b => String.fromCharCode(97 + (b % 26))).join('')
  return encodeGgufLora(adapter(pad))
}

/** Stores `bytes` as chunks and a signed adapter artifact pointing at them (local, trusted). */
export async function addAdapter (node: TestNode, bytes: Uint8Array, name = 'test-adapter', extra: { domain?: string, family?: string, created?: number } = {}): Promise<SignedArtifact> {
  const file = join(node.home, `${name}.bin`)
  writeFileSync(file, bytes)
  const { chunks, bytes: size } = await node.library.putBlobFile(file)
  rmSync(file)
  const { CID } = await import('multiformats/cid')
  const artifact = await createArtifact('adapter', {
    name,
    domain: extra.domain ?? 'agronomy',
    description: 'test adapter',
    base: { family: extra.family ?? 'llama', model: 'tiny' },
    format: 'gguf-lora',
    rank: 4,
    alpha: 8,
    targets: ['attn_q'],
    bytes: size,
    chunks: chunks.map(c => CID.parse(c)),
    exemplars: [{ q: 'q?' }],
    license: 'MIT'
  }, node.key, { created: extra.created })
  node.library.put(artifact)
  return artifact
}

/** A small signed artifact (an outcome) stored locally. */
export async function addOutcome (node: TestNode, i: number, created = 1_700_000_000_000 + i): Promise<SignedArtifact> {
  const score = 0.5 + (i % 100) / 1000
  const a = await createArtifact('outcome', {
    family: 'llama', task: `task ${i}`, tags: ['t'], dataScale: 's', benchmark: 'acc',
    baseline: 0.5, score, delta: score - 0.5, method: 'lora', params: { r: 4 }, heldOut: true, nEval: 100, confidence: 0.1
  }, node.key, { created })
  node.library.put(a)
  return a
}

/** Resolves once `node` knows at least `n` peers subscribed to its announce topic. */
export async function waitForSubscribers (node: TestNode, n: number, network = 'default'): Promise<void> {
  const pubsub = node.mesh.libp2p.services.pubsub
  const topic = `/baobab/${network}/announce/1`
  if (pubsub.getSubscribers(topic).length >= n) return
  await new Promise<void>(resolve => {
    const check = (): void => {
      if (pubsub.getSubscribers(topic).length >= n) {
        pubsub.removeEventListener('subscription-change', check)
        resolve()
      }
    }
    pubsub.addEventListener('subscription-change', check)
  })
}

/** Resolves once the library holds `cid` (checked on every admission event). */
export async function waitForArtifact (node: TestNode, cid: string): Promise<void> {
  if (node.library.has(cid)) return
  await waitFor(node.mesh, 'artifact:admitted', d => d.cid === cid)
}

export function chunksOf (artifact: SignedArtifact): string[] {
  return (artifact.envelope.body as { chunks?: unknown[] }).chunks?.map(String) ?? []
}
