/**
 * GGUF LoRA adapters (llama.cpp format): `general.type=adapter`, `adapter.type=lora`,
 * `adapter.lora.alpha` (f32), tensors `<base>.lora_a` ne [n_in, r] and `<base>.lora_b`
 * ne [r, n_out]. Row-major these are PEFT's A [r][n_in] and B [n_out][r].
 * llama.cpp applies scale · (alpha / r) · B·A with r taken from each lora_b (no alpha → 1).
 */
import { readFile } from 'node:fs/promises'
import { gguf } from '@huggingface/gguf'
import { bf16ToF32, encodeFloats, f16ToF32, f32FromBytes, firstNonFinite } from './dtype.ts'
import { AdapterNotFoundError, GgufFormatError, LoraPairError, NonFiniteValueError, UnsupportedDtypeError } from './errors.ts'
import { encodeGguf, GGML_TYPE, GGUF_DEFAULT_ALIGNMENT, GGUF_TYPE } from './gguf-format.ts'
import type { GgufTensorOut } from './gguf-format.ts'
import type { ExtraTensor, GgufKv, LoraAdapter, LoraTarget, Mat } from './types.ts'
import { writeFileAtomic } from './atomic.ts'

const HEADER_KEYS = new Set(['version', 'tensor_count', 'kv_count'])

interface RawTensor { name: string, ne: number[], data: Float32Array, dtype: 'F32' | 'F16' | 'BF16' }

function decodeTensor (path: string, bytes: Uint8Array, start: number, name: string, ne: number[], type: number): RawTensor {
  const count = ne.reduce((p, d) => p * d, 1)
  const size = type === GGML_TYPE.F32 ? 4 : type === GGML_TYPE.F16 || type === GGML_TYPE.BF16 ? 2 : 0
  if (size === 0) throw new UnsupportedDtypeError(name, `ggml type ${type}`)
  if (start < 0 || start + count * size > bytes.length) {
    throw new GgufFormatError(path, `tensor ${name} data [${start}, ${start + count * size}) runs past the end of the file (${bytes.length} bytes)`)
  }
  if (type === GGML_TYPE.F32) return { name, ne, dtype: 'F32', data: f32FromBytes(bytes, start, count) }
  if (type === GGML_TYPE.F16) return { name, ne, dtype: 'F16', data: f16ToF32(bytes, start, count) }
  return { name, ne, dtype: 'BF16', data: bf16ToF32(bytes, start, count) }
}

/** Read a GGUF LoRA adapter file into the GGUF frame. */
export async function readGgufLora (path: string): Promise<LoraAdapter> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    throw new AdapterNotFoundError(path, 'cannot read GGUF file', { cause: err })
  }
  let parsed: Awaited<ReturnType<typeof gguf>> & { typedMetadata: Record<string, { value: unknown, type: number, subType?: number }> }
  try {
    parsed = await gguf(path, { allowLocalFile: true, typedMetadata: true }) as typeof parsed
  } catch (err) {
    throw new GgufFormatError(path, `not a readable GGUF file (${(err as Error).message})`, { cause: err })
  }
  const kv: GgufKv[] = []
  for (const [key, e] of Object.entries(parsed.typedMetadata)) {
    if (HEADER_KEYS.has(key)) continue
    kv.push(e.subType == null ? { key, type: e.type, value: e.value } : { key, type: e.type, value: e.value, subType: e.subType })
  }
  const meta = new Map(kv.map((e) => [e.key, e.value]))
  if (meta.get('general.type') !== 'adapter' || meta.get('adapter.type') !== 'lora') {
    throw new GgufFormatError(path, `not a LoRA adapter (general.type=${String(meta.get('general.type'))}, adapter.type=${String(meta.get('adapter.type'))})`)
  }
  const alphaRaw = meta.get('adapter.lora.alpha')
  const alpha = typeof alphaRaw === 'number' ? alphaRaw : 0
  const dataStart = Number(parsed.tensorDataOffset)
  const raws = parsed.tensorInfos.map((t) =>
    decodeTensor(path, bytes, dataStart + Number(t.offset), t.name, t.shape.map(Number), t.dtype as number))
  const pairs = new Map<string, { a?: RawTensor, b?: RawTensor }>()
  const extras: ExtraTensor[] = []
  const warnings: string[] = []
  const order: string[] = []
  for (const t of raws) {
    const m = /^(.+)\.lora_([ab])$/.exec(t.name)
    if (m == null) {
      extras.push({ name: t.name, shape: [...t.ne].reverse(), data: t.data, dtype: t.dtype })
      warnings.push(`tensor ${t.name} is not a LoRA factor: carried as an extra`)
      continue
    }
    const base = m[1] as string
    if (!pairs.has(base)) order.push(base)
    const p = pairs.get(base) ?? {}
    if (m[2] === 'a') p.a = t
    else p.b = t
    pairs.set(base, p)
  }
  const dtypes = new Set(raws.map((t) => t.dtype))
  const targets: LoraTarget[] = order.map((base) => {
    const { a, b } = pairs.get(base) as { a?: RawTensor, b?: RawTensor }
    if (a == null || b == null) throw new LoraPairError(base, `${base}.lora_${a == null ? 'a' : 'b'} is missing`)
    if (a.ne.length !== 2 || b.ne.length !== 2) throw new LoraPairError(base, 'lora_a and lora_b must be 2-D')
    const [nIn, rank] = a.ne as [number, number]
    const [rankB, nOut] = b.ne as [number, number]
    if (rank !== rankB) throw new LoraPairError(base, `lora_a has rank ${rank} but lora_b has rank ${rankB}`)
    for (const t of [a, b]) {
      const bad = firstNonFinite(t.data)
      if (bad >= 0) throw new NonFiniteValueError(t.name, bad, t.data[bad] as number)
    }
    const A: Mat = { rows: rank, cols: nIn, data: a.data }
    const B: Mat = { rows: nOut, cols: rank, data: b.data }
    const tAlpha = alpha !== 0 ? alpha : rank
    return { name: base, a: A, b: B, rank, alpha: tAlpha, scale: tAlpha / rank }
  })
  if (targets.length === 0) throw new LoraPairError('(none)', 'the file holds no lora_a/lora_b pairs')
  const arch = meta.get('general.architecture')
  const base = meta.get('general.base_model.0.name')
  return {
    format: 'gguf',
    frame: 'gguf',
    arch: typeof arch === 'string' ? arch : undefined,
    baseModel: typeof base === 'string' ? base : undefined,
    fanInFanOut: false,
    targets,
    extras,
    warnings,
    ggufKv: kv,
    sourceDtype: dtypes.size === 1 ? [...dtypes][0] : 'F32'
  }
}

export interface GgufLoraWriteOptions {
  /** Tensor type; default: the source dtype (F32 unless the source was F16). */
  dtype?: 'F32' | 'F16'
  /** general.name; default: kept from the source or "baobab-lora". */
  name?: string
}

/**
 * Serialise an adapter in the GGUF frame. The file holds one alpha; a target whose scale is not
 * alpha / rank gets the difference folded into its B, so the file reproduces every ΔW.
 */
export function encodeGgufLora (adapter: LoraAdapter, options: GgufLoraWriteOptions = {}): Uint8Array {
  if (adapter.frame !== 'gguf') throw new GgufFormatError(undefined, 'GGUF output needs an adapter in the GGUF frame (convert it first)')
  const first = adapter.targets[0]
  if (first == null) throw new LoraPairError('(none)', 'adapter has no targets')
  const sameAlpha = adapter.targets.every((t) => t.alpha === first.alpha)
  const alpha = sameAlpha ? first.alpha : first.rank
  const src = adapter.sourceDtype === 'F16' ? 'F16' : 'F32'
  const dtype = options.dtype ?? src
  const ggmlType = dtype === 'F16' ? GGML_TYPE.F16 : GGML_TYPE.F32
  const tensors: GgufTensorOut[] = []
  for (const t of adapter.targets) {
    let b = t.b.data
    const written = alpha / t.rank
    if (written !== t.scale) {
      const f = t.scale / written
      b = new Float32Array(t.b.data.length)
      for (let i = 0; i < b.length; i++) b[i] = (t.b.data[i] as number) * f
    }
    tensors.push({ name: `${t.name}.lora_a`, ne: [t.a.cols, t.a.rows], ggmlType, data: encodeFloats(t.a.data, dtype) })
    tensors.push({ name: `${t.name}.lora_b`, ne: [t.b.cols, t.b.rows], ggmlType, data: encodeFloats(b, dtype) })
  }
  let kv: GgufKv[]
  if (adapter.ggufKv != null) {
    kv = adapter.ggufKv.map((e) => (e.key === 'adapter.lora.alpha' ? { ...e, value: alpha } : e))
    if (!kv.some((e) => e.key === 'adapter.lora.alpha')) kv.push({ key: 'adapter.lora.alpha', type: GGUF_TYPE.FLOAT32, value: alpha })
    if (options.name != null) kv = kv.map((e) => (e.key === 'general.name' ? { ...e, value: options.name } : e))
  } else {
    kv = [
      { key: 'general.architecture', type: GGUF_TYPE.STRING, value: adapter.arch ?? 'llama' },
      { key: 'general.type', type: GGUF_TYPE.STRING, value: 'adapter' },
      { key: 'general.name', type: GGUF_TYPE.STRING, value: options.name ?? 'baobab-lora' },
      { key: 'adapter.type', type: GGUF_TYPE.STRING, value: 'lora' },
      { key: 'adapter.lora.alpha', type: GGUF_TYPE.FLOAT32, value: alpha }
    ]
    if (adapter.baseModel != null) {
      kv.push({ key: 'general.base_model.count', type: GGUF_TYPE.UINT32, value: 1 })
      kv.push({ key: 'general.base_model.0.name', type: GGUF_TYPE.STRING, value: adapter.baseModel })
    }
  }
  for (const e of adapter.extras) {
    if (e.shape.length !== 1) continue
    tensors.push({ name: e.name, ne: [...e.shape].reverse(), ggmlType, data: encodeFloats(e.data, dtype) })
  }
  const alignEntry = kv.find((e) => e.key === 'general.alignment')
  const alignment = typeof alignEntry?.value === 'number' ? alignEntry.value : GGUF_DEFAULT_ALIGNMENT
  return encodeGguf(kv, tensors, alignment)
}

/** Write a GGUF LoRA file atomically. */
export async function writeGgufLora (adapter: LoraAdapter, path: string, options: GgufLoraWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodeGgufLora(adapter, options))
}
