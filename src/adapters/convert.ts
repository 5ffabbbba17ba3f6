/**
 * Frame conversion between PEFT (Hugging Face) and GGUF LoRA adapters.
 *
 * - Names: `model.layers.N.self_attn.q_proj` ↔ `blk.N.attn_q.weight` (llama, qwen2),
 *   `transformer.h.N.attn.c_attn` ↔ `blk.N.attn_qkv.weight` (gpt2), and so on.
 * - llama: llama.cpp's converter permutes the rows of the q and k weights for its rotary
 *   layout (reshape [heads, 2, d/2, in] → swap axes 1,2). ΔW must follow the weight, so the rows
 *   of lora_b get the same permutation (k uses the KV head count). qwen2 and gpt2: none.
 * - gpt2 Conv1D (`fan_in_fan_out`): the HF weight is in × out and PEFT adds (B·A)ᵀ to it; the
 *   GGUF converter transposes that weight to out × in, so in the GGUF frame ΔW = B·A and the
 *   factors go through unchanged (the two transposes cancel).
 */
import { ArchitectureInfoError, UnsupportedArchitectureError, UnsupportedTargetError } from './errors.ts'
import type { LoraAdapter, LoraTarget, Mat } from './types.ts'

export const SUPPORTED_ARCHS = ['llama', 'qwen2', 'gpt2'] as const
export type SupportedArch = typeof SUPPORTED_ARCHS[number]

export interface ArchOptions {
  arch?: string
  /** Attention heads (llama q permutation). */
  nHead?: number
  /** KV heads (llama k permutation); defaults to nHead. */
  nHeadKv?: number
}

interface KnownBase { pattern: RegExp, arch: SupportedArch, nHead: number, nHeadKv: number }

/** Base models whose head counts are known, so conversion needs no flags. */
export const KNOWN_BASES: readonly KnownBase[] = [
  { pattern: /tinyllama-1\.1b/i, arch: 'llama', nHead: 32, nHeadKv: 4 },
  { pattern: /tiny-random-llama-2|llama-2-tiny-random/i, arch: 'llama', nHead: 2, nHeadKv: 2 },
  { pattern: /llama-2-7b/i, arch: 'llama', nHead: 32, nHeadKv: 32 },
  { pattern: /qwen2\.5-0\.5b/i, arch: 'qwen2', nHead: 14, nHeadKv: 2 },
  { pattern: /^(openai-community\/)?gpt2$/i, arch: 'gpt2', nHead: 12, nHeadKv: 12 }
]

const LLAMA_ATTN: Record<string, string> = { q: 'attn_q', k: 'attn_k', v: 'attn_v', o: 'attn_output' }
const LLAMA_FFN: Record<string, string> = { gate: 'ffn_gate', up: 'ffn_up', down: 'ffn_down' }
const GPT2: Record<string, string> = { 'attn.c_attn': 'attn_qkv', 'attn.c_proj': 'attn_output', 'mlp.c_fc': 'ffn_up', 'mlp.c_proj': 'ffn_down' }

function checkArch (arch: string | undefined): SupportedArch {
  if (arch == null || !(SUPPORTED_ARCHS as readonly string[]).includes(arch)) {
    throw new UnsupportedArchitectureError(arch ?? '(unknown)', SUPPORTED_ARCHS)
  }
  return arch as SupportedArch
}

/** HF module name → GGUF base tensor name. */
export function hfToGgufName (module: string, arch: string): string {
  const a = checkArch(arch)
  if (a === 'gpt2') {
    const m = /^transformer\.h\.(\d+)\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)$/.exec(module)
    if (m != null) return `blk.${m[1]}.${GPT2[m[2] as string]}.weight`
  } else {
    const m = /^model\.layers\.(\d+)\.(?:self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj)$/.exec(module)
    if (m != null) return `blk.${m[1]}.${m[2] != null ? LLAMA_ATTN[m[2]] : LLAMA_FFN[m[3] as string]}.weight`
  }
  throw new UnsupportedTargetError(module, a)
}

/** GGUF base tensor name → HF module name. */
export function ggufToHfName (tensor: string, arch: string): string {
  const a = checkArch(arch)
  const m = /^blk\.(\d+)\.([a-z_]+)\.weight$/.exec(tensor)
  if (m != null) {
    const [, layer, t] = m as unknown as [string, string, string]
    const table = a === 'gpt2' ? GPT2 : { ...Object.fromEntries(Object.entries(LLAMA_ATTN).map(([k, v]) => [`self_attn.${k}_proj`, v])), ...Object.fromEntries(Object.entries(LLAMA_FFN).map(([k, v]) => [`mlp.${k}_proj`, v])) }
    const hit = Object.entries(table).find(([, v]) => v === t)
    if (hit != null) return a === 'gpt2' ? `transformer.h.${layer}.${hit[0]}` : `model.layers.${layer}.${hit[0]}`
  }
  throw new UnsupportedTargetError(tensor, a)
}

/**
 * Row permutation llama.cpp applies to q/k weights: rows viewed as [heads][2][d/2] are
 * reordered to [heads][d/2][2]. Returns perm with newRow[i] = oldRow[perm[i]].
 */
export function rotaryPermutation (rows: number, nHead: number): Int32Array {
  if (nHead <= 0 || rows % nHead !== 0 || (rows / nHead) % 2 !== 0) {
    throw new ArchitectureInfoError('llama', 'head count', `${rows} rows cannot be split into ${nHead} heads of even size`)
  }
  const d = rows / nHead
  const half = d / 2
  const perm = new Int32Array(rows)
  for (let h = 0; h < nHead; h++) {
    for (let j = 0; j < half; j++) {
      for (let t = 0; t < 2; t++) perm[h * d + j * 2 + t] = h * d + t * half + j
    }
  }
  return perm
}

/** Apply (or undo) a row permutation to a row-major matrix. */
export function permuteRows (m: Mat, perm: Int32Array, inverse = false): Mat {
  const out = new Float32Array(m.data.length)
  const c = m.cols
  for (let i = 0; i < m.rows; i++) {
    const src = perm[i] as number
    if (inverse) out.set(m.data.subarray(i * c, (i + 1) * c), src * c)
    else out.set(m.data.subarray(src * c, (src + 1) * c), i * c)
  }
  return { rows: m.rows, cols: m.cols, data: out }
}

/** Resolve arch and head counts from options, the adapter, and the known-base table. */
export function resolveArch (adapter: LoraAdapter, options: ArchOptions = {}): { arch: SupportedArch, nHead?: number, nHeadKv?: number } {
  const known = KNOWN_BASES.find((k) => adapter.baseModel != null && k.pattern.test(adapter.baseModel))
  const arch = checkArch(options.arch ?? adapter.arch ?? known?.arch)
  const nHead = options.nHead ?? (known?.arch === arch ? known.nHead : undefined)
  const nHeadKv = options.nHeadKv ?? (options.nHead != null ? options.nHead : known?.arch === arch ? known.nHeadKv : undefined)
  return { arch, nHead, nHeadKv }
}

function rotaryHeads (ggufName: string, arch: SupportedArch, nHead?: number, nHeadKv?: number): number | undefined {
  if (arch !== 'llama') return undefined
  const isQ = /\.attn_q\.weight$/.test(ggufName)
  const isK = /\.attn_k\.weight$/.test(ggufName)
  if (!isQ && !isK) return undefined
  if (nHead == null) {
    throw new ArchitectureInfoError('llama', 'attention head count', 'q/k LoRA needs the rotary row permutation; pass nHead/nHeadKv (--heads, --kv-heads) for this base model')
  }
  return isQ ? nHead : (nHeadKv ?? nHead)
}

function mapTargets (adapter: LoraAdapter, toGguf: boolean, arch: SupportedArch, nHead?: number, nHeadKv?: number): LoraTarget[] {
  return adapter.targets.map((t) => {
    const name = toGguf ? hfToGgufName(t.name, arch) : ggufToHfName(t.name, arch)
    const heads = rotaryHeads(toGguf ? name : t.name, arch, nHead, nHeadKv)
    const b = heads == null ? t.b : permuteRows(t.b, rotaryPermutation(t.b.rows, heads), !toGguf)
    return { ...t, name, b }
  })
}

/** PEFT (HF frame) → GGUF frame. Extras that GGUF LoRA cannot hold are dropped with a warning. */
export function convertToGguf (adapter: LoraAdapter, options: ArchOptions = {}): LoraAdapter {
  if (adapter.frame === 'gguf') return adapter
  const { arch, nHead, nHeadKv } = resolveArch(adapter, options)
  const targets = mapTargets(adapter, true, arch, nHead, nHeadKv)
  const warnings = [...adapter.warnings]
  for (const e of adapter.extras) warnings.push(`extra tensor ${e.name} dropped: a GGUF LoRA adapter cannot hold it`)
  const { ggufKv: _drop, ...rest } = adapter
  return { ...rest, format: 'memory', frame: 'gguf', arch, fanInFanOut: false, targets, extras: [], warnings }
}

/** GGUF frame → HF frame (inverse names and permutation; gpt2 gets fan_in_fan_out back). */
export function convertToHf (adapter: LoraAdapter, options: ArchOptions & { baseModel?: string } = {}): LoraAdapter {
  if (adapter.frame === 'hf') return adapter
  const withBase = options.baseModel != null ? { ...adapter, baseModel: options.baseModel } : adapter
  const { arch, nHead, nHeadKv } = resolveArch(withBase, options)
  const targets = mapTargets(adapter, false, arch, nHead, nHeadKv)
  const { ggufKv: _drop, ...rest } = withBase
  return { ...rest, format: 'memory', frame: 'hf', arch, fanInFanOut: arch === 'gpt2', targets, extras: [] }
}
