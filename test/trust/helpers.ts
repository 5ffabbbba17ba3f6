/**
 * Real parts for trust tests: SQLite libraries in temp homes, Ed25519 keys, the tiny random
 * llama GGUF (MIT) with its two LoRA files, and poisoned LoRAs derived from them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gguf } from '@huggingface/gguf'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { encodeGgufLora, readGgufLora } from '../../src/adapters/index.ts'
import { createArtifact, parseCid, rawCid } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import type { LoraAdapter, LoraTarget } from '../../src/adapters/index.ts'
import type { AdapterBody, BodyByKind, Kind, SignedArtifact } from '../../src/artifacts/index.ts'
import type { Library } from '../../src/library/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
export const TINY_MODEL = join(FIXTURES, 'llama-2-tiny-random.gguf')
export const LORA_A = join(FIXTURES, 'tiny-lora/llama-2-tiny-random.lora-a.f32.gguf')
export const LORA_B = join(FIXTURES, 'tiny-lora/llama-2-tiny-random.lora-b.f16.gguf')
export const TINY_TARGETS = ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down']

export async function key (): Promise<PrivateKey> {
  return generateKeyPair('Ed25519')
}

export function peerOf (k: PrivateKey): string {
  return peerIdFromPrivateKey(k).toString()
}

export function tempDir (prefix = 'baobab-trust-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export interface TestLibrary {
  home: string
  library: Library
  close(): void
}

export function tempLibrary (): TestLibrary {
  const home = tempDir()
  const library = openLibrary({ home })
  return { home, library, close: () => { library.close(); rmSync(home, { recursive: true, force: true }) } }
}

/** A LoRA with every B scaled by `f` (f32, no kept GGUF metadata). */
export function scaled (ad: LoraAdapter, f: number): LoraAdapter {
  return {
    ...ad,
    ggufKv: undefined,
    sourceDtype: 'F32',
    targets: ad.targets.map(t => ({ ...t, b: { ...t.b, data: t.b.data.map(x => x * f) } }))
  }
}

/** A small deterministic perturbation: another honest adapter of the same shape. */
export function perturbed (ad: LoraAdapter, seed: number, amount = 0.1): LoraAdapter {
  let s = seed >>> 0
  const rnd = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5 }
  return {
    ...ad,
    ggufKv: undefined,
    sourceDtype: 'F32',
    targets: ad.targets.map(t => ({
      ...t,
      a: { ...t.a, data: t.a.data.map(x => x * (1 + amount * rnd())) },
      b: { ...t.b, data: t.b.data.map(x => x * (1 + amount * rnd())) }
    }))
  }
}

/** One NaN in the first target's B. */
export function withNaN (ad: LoraAdapter): LoraAdapter {
  const t0 = ad.targets[0] as LoraTarget
  const b = new Float32Array(t0.b.data)
  b[3] = Number.NaN
  return { ...ad, ggufKv: undefined, sourceDtype: 'F32', targets: [{ ...t0, b: { ...t0.b, data: b } }, ...ad.targets.slice(1)] }
}

/** attn_q with n_in 16 instead of the base's 8: a LoRA for some other model. */
export function wrongShape (ad: LoraAdapter): LoraAdapter {
  const t0 = ad.targets[0] as LoraTarget
  const a = new Float32Array(t0.rank * 16).map((_, i) => Math.sin(i))
  return { ...ad, ggufKv: undefined, sourceDtype: 'F32', targets: [{ ...t0, a: { rows: t0.rank, cols: 16, data: a } }, ...ad.targets.slice(1)] }
}

/** The BOS token's embedding row of the tiny model (F16 → f32). */
export async function bosEmbedding (): Promise<Float32Array> {
  const r = await gguf(TINY_MODEL, { allowLocalFile: true })
  const bytes = readFileSync(TINY_MODEL)
  const t = r.tensorInfos.find(x => x.name === 'token_embd.weight')
  if (t == null) throw new Error('no token_embd in the tiny model')
  const dims = Number(t.shape[0])
  const off = Number(r.tensorDataOffset) + Number(t.offset) + 1 * dims * 2
  const half = new Float16Array(bytes.buffer.slice(bytes.byteOffset + off, bytes.byteOffset + off + dims * 2))
  return Float32Array.from(half)
}

/**
 * A backdoor-like adapter with ordinary norms: a rank-1 attn_v update that reads only the
 * (always present) BOS position and writes one fixed direction, so every prompt is pushed
 * toward the same output and greedy decoding repeats itself.
 */
export async function backdoor (ad: LoraAdapter, strength = 30): Promise<LoraAdapter> {
  const e = await bosEmbedding()
  const rms = Math.sqrt(e.reduce((s, x) => s + x * x, 0) / e.length)
  const xb = e.map(x => x / rms)
  const n2 = xb.reduce((s, x) => s + x * x, 0)
  const v = ad.targets.find(t => t.name.includes('attn_v')) as LoraTarget
  const a = new Float32Array(v.a.data.length)
  const b = new Float32Array(v.b.data.length)
  for (let j = 0; j < v.a.cols; j++) a[j] = (xb[j] as number) / n2
  for (let i = 0; i < v.b.rows; i++) b[i * v.b.cols] = (i % 3 === 0 ? 1 : -0.5) * strength
  return { ...ad, ggufKv: undefined, sourceDtype: 'F32', targets: [{ ...v, a: { ...v.a, data: a }, b: { ...v.b, data: b } }] }
}

export async function loraA (): Promise<LoraAdapter> { return readGgufLora(LORA_A) }
export async function loraB (): Promise<LoraAdapter> { return readGgufLora(LORA_B) }

export function ggufBytes (ad: LoraAdapter): Uint8Array { return encodeGgufLora(ad) }

export interface AdapterBundle {
  artifact: SignedArtifact<'adapter'>
  weights: Uint8Array
}

/** Signs an adapter card for `weights` (one chunk) on the tiny llama base. */
export async function adapterArtifact (author: PrivateKey, weights: Uint8Array, over: Partial<AdapterBody> = {}, created?: number): Promise<AdapterBundle> {
  const chunk = rawCid(weights)
  const body: AdapterBody = {
    name: 'tiny-expert',
    domain: 'agronomy',
    description: 'A LoRA for the tiny random llama used in tests.',
    base: { family: 'llama', model: 'llama-2-tiny-random' },
    format: 'gguf-lora',
    rank: 4,
    alpha: 8,
    targets: TINY_TARGETS,
    bytes: weights.length,
    chunks: [parseCid(chunk.toString())],
    exemplars: [{ q: 'When should I plant maize?', a: 'At the onset of reliable rains.' }],
    license: 'MIT',
    ...over
  }
  return { artifact: await createArtifact('adapter', body, author, created != null ? { created } : {}), weights }
}

/** Stores the weight chunk in `library` (what the mesh does before admission). */
export function receiveChunks (library: Library, bundle: AdapterBundle): void {
  library.blobs.put(bundle.weights)
}

export async function sign<K extends Kind> (kind: K, body: BodyByKind[K], author: PrivateKey, created?: number): Promise<SignedArtifact<K>> {
  return createArtifact(kind, body, author, created != null ? { created } : {})
}

export function experienceBody (text: string, over: Partial<BodyByKind['experience']> = {}): BodyByKind['experience'] {
  return {
    text,
    domain: 'veterinary',
    tags: ['calves'],
    confidence: 0.7,
    evidence: { groups: 4, meanReward: 0.6 },
    sketch: { embedder: 'builtin:hash-ngram@1', bits: new Uint8Array(48).fill(0x5a), scale: 0.05 },
    ...over
  }
}

export function outcomeBody (over: Partial<BodyByKind['outcome']> = {}): BodyByKind['outcome'] {
  const baseline = over.baseline ?? 0.41
  const score = over.score ?? 0.46
  return {
    family: 'qwen2.5-0.5b',
    task: 'maize disease triage',
    tags: ['agronomy', 'classification'],
    dataScale: 'm',
    benchmark: 'accuracy',
    method: 'lora',
    params: { r: 8, alpha: 16, lr: 0.0002 },
    heldOut: true,
    nEval: 400,
    confidence: 0.6,
    ...over,
    baseline,
    score,
    delta: score - baseline
  }
}
