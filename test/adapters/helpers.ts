/** Shared helpers for adapter tests: locating shared data, temp dirs, synthetic adapters. */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'
import { createPrng } from '../../src/adapters/index.ts'
import type { LoraAdapter, LoraTarget } from '../../src/adapters/index.ts'

export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url))
export const SHARED_ADAPTERS = join(SHARED, 'adapters')
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
export const TINY_MODEL = join(FIXTURES, 'llama-2-tiny-random.gguf')
export const TINY_LORA_A = join(FIXTURES, 'tiny-lora', 'llama-2-tiny-random.lora-a.f32.gguf')
export const TINY_LORA_B = join(FIXTURES, 'tiny-lora', 'llama-2-tiny-random.lora-b.f16.gguf')

export const ALL_ADAPTERS = [
  'gpt2-chess', 'gpt2-fmi-chatbot', 'gpt2-pseudo2code', 'gpt2-tigrinya',
  'qwen05b-base-hh-reward', 'qwen05b-base-hh-sft', 'qwen05b-instruct-llmsys-qa', 'qwen05b-instruct-math-ppo',
  'qwen05b-instruct-timeseries-r12', 'qwen05b-instruct-timeseries-r6',
  'tinyllama-emotion', 'tinyllama-keywords', 'tinyllama-therapist'
] as const

/** Path of a shared adapter, or undefined after marking the test skipped with the reason. */
export function sharedAdapter (t: TestContext, name: string): string | undefined {
  const p = join(SHARED_ADAPTERS, name)
  if (!existsSync(join(p, 'adapter_model.safetensors'))) {
    t.skip(`shared adapter ${name} not found at ${p}`)
    return undefined
  }
  return p
}

export async function tempDir (t: TestContext): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'baobab-adapters-'))
  t.after(async () => { await rm(d, { recursive: true, force: true }) })
  return d
}

/** A random target with Gaussian factors (seeded). */
export function randomTarget (name: string, out: number, nIn: number, rank: number, seed: number, alpha = rank): LoraTarget {
  const rng = createPrng(seed)
  const a = new Float32Array(rank * nIn).map(() => rng.gaussian())
  const b = new Float32Array(out * rank).map(() => rng.gaussian())
  return { name, a: { rows: rank, cols: nIn, data: a }, b: { rows: out, cols: rank, data: b }, rank, alpha, scale: alpha / rank }
}

/** An in-memory HF-frame adapter. */
export function memoryAdapter (targets: LoraTarget[], extra: Partial<LoraAdapter> = {}): LoraAdapter {
  return { format: 'memory', frame: 'hf', arch: undefined, baseModel: 'test/base', fanInFanOut: false, targets, extras: [], warnings: [], ...extra }
}

/** Max |x − y|. */
export function maxAbsDiff (x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)))
  return m
}
