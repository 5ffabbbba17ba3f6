/**
 * A small LoRA for the bundled tiny llama model (n_embd 8, one block): deterministic per
 * community, written as a GGUF LoRA file, so the demo moves and loads real adapter weights.
 */
import { writeGgufLora } from './gguf-lora.ts'
import { createPrng } from '../random/index.ts'
import type { LoraAdapter, LoraTarget } from './types.ts'

export const TINY_MODEL = new URL('../../assets/models/llama-2-tiny-random.gguf', import.meta.url).pathname
const N_EMBD = 8
const RANK = 2

function matrix (rows: number, cols: number, next: () => number, scale: number): { rows: number, cols: number, data: Float32Array } {
  const data = new Float32Array(rows * cols)
  for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * scale
  return { rows, cols, data }
}

export async function writeTinyLora (path: string, seed: number): Promise<void> {
  const prng = createPrng(seed)
  const next = (): number => prng.next()
  const targets: LoraTarget[] = ['attn_q', 'attn_v'].map(t => ({
    name: `blk.0.${t}.weight`,
    a: matrix(RANK, N_EMBD, next, 0.5),
    b: matrix(N_EMBD, RANK, next, 0.5),
    rank: RANK,
    alpha: RANK,
    scale: 1
  }))
  const adapter: LoraAdapter = {
    format: 'memory', frame: 'gguf', arch: 'llama', baseModel: 'llama-2-tiny-random', fanInFanOut: false, targets, extras: [], warnings: []
  }
  await writeGgufLora(adapter, path, { name: `baobab-demo-${seed}` })
}
