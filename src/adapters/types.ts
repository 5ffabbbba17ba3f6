/**
 * In-memory shapes shared by every adapter-math module.
 *
 * Frames: an adapter's tensors are either in the Hugging Face frame (`hf`: PEFT module names,
 * rows in the order of the HF weight) or the GGUF frame (`gguf`: `blk.N.attn_q.weight` names,
 * llama-family q/k rows permuted the way llama.cpp's converter permutes the base weights).
 * Within one frame every target's update is the linear map ΔW = scale · B · A (out × in).
 */

/** Row-major float32 matrix. */
export interface Mat {
  rows: number
  cols: number
  data: Float32Array
}

/** Row-major float64 matrix (working precision for factorisations). */
export interface Mat64 {
  rows: number
  cols: number
  data: Float64Array
}

export type AdapterFrame = 'hf' | 'gguf'

/** One adapted weight: ΔW = scale · B · A, with A rank × in and B out × rank. */
export interface LoraTarget {
  /** Module name in the adapter's frame: `model.layers.0.self_attn.q_proj` or `blk.0.attn_q.weight`. */
  name: string
  a: Mat
  b: Mat
  rank: number
  alpha: number
  /** Effective multiplier of B·A: alpha / rank (or alpha / √rank for rsLoRA). */
  scale: number
}

/** A tensor in the file that is not a LoRA factor (e.g. a reward `score` head), passed through. */
export interface ExtraTensor {
  /** Full tensor name as stored in the file. */
  name: string
  shape: number[]
  data: Float32Array
  dtype: 'F32' | 'F16' | 'BF16'
}

export interface LoraAdapter {
  /** What the file was: a PEFT directory, a GGUF LoRA file, or a BitDelta container. */
  format: 'peft' | 'gguf' | 'bitdelta' | 'memory'
  frame: AdapterFrame
  /** GGUF `general.architecture`, or guessed from PEFT module names (llama | qwen2 | gpt2). */
  arch: string | undefined
  /** PEFT `base_model_name_or_path` when known. */
  baseModel: string | undefined
  /** HF Conv1D layers (GPT-2): the HF base weight is in × out, so merging into it needs ΔWᵀ. */
  fanInFanOut: boolean
  targets: LoraTarget[]
  extras: ExtraTensor[]
  /** Things the reader skipped or tolerated; callers should show them. */
  warnings: string[]
  /** Original PEFT config (unknown keys kept) when read from PEFT. */
  peftConfig?: Record<string, unknown>
  /** Original GGUF key/values in file order when read from GGUF (for byte-identical rewrites). */
  ggufKv?: GgufKv[]
  /** Tensor dtype the source stored (for rewriting). */
  sourceDtype?: 'F32' | 'F16' | 'BF16'
}

/** One GGUF metadata entry, typed with GGUFValueType numbers. */
export interface GgufKv {
  key: string
  type: number
  value: unknown
  subType?: number
}

/** Progress events emitted by slow adapter operations (`concept:action`). */
export interface AdapterProgress {
  type: 'adapters:read' | 'adapters:convert' | 'adapters:merge' | 'adapters:compare' | 'adapters:compress' | 'adapters:aggregate' | 'adapters:write'
  done: number
  total: number
  target?: string
}

export interface AdapterOpOptions {
  signal?: AbortSignal
  onProgress?: (event: AdapterProgress) => void
}
