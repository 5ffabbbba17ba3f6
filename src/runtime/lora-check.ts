/**
 * Checks a GGUF LoRA file against the loaded base model before llama.cpp sees it, reading only
 * headers with @huggingface/gguf, so a wrong file is a named error instead of a native failure:
 * missing file, not a LoRA (`general.type` must be `adapter`, `adapter.type` `lora`), or made
 * for another base (architecture or tensor shapes differ).
 */
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { AdapterBaseMismatchError, AdapterFileNotFoundError, ModelLoadError, NotALoraAdapterError } from './errors.ts'

export interface BaseModelShapes {
  path: string
  architecture: string
  /** Tensor name → ggml `ne` dims (fastest-varying first). */
  tensors: Map<string, number[]>
}

export interface CheckedLora {
  /** Absolute path. */
  path: string
  architecture: string
  name?: string
  alpha?: number
  /** Largest rank over the adapted tensors. */
  rank: number
  /** Number of adapted base tensors (lora_a/lora_b pairs). */
  targets: number
}

type GgufHeader = Awaited<ReturnType<typeof import('@huggingface/gguf').gguf>>

async function readHeader (path: string): Promise<GgufHeader> {
  const { gguf } = await import('@huggingface/gguf') // loaded on first use: most runs never read a GGUF
  return gguf(resolve(path), { allowLocalFile: true })
}

/** Base shapes from the header node-llama-cpp already parsed (no second read of the file). */
export function baseShapesFromFileInfo (
  path: string,
  info: { metadata: unknown, tensorInfo?: Array<{ name: string, dimensions: readonly (number | bigint)[] }> }
): BaseModelShapes | undefined {
  if (info.tensorInfo == null) return undefined
  const md = info.metadata as { general?: { architecture?: unknown } }
  const tensors = new Map<string, number[]>()
  for (const t of info.tensorInfo) tensors.set(t.name, t.dimensions.map(Number))
  return { path, architecture: String(md.general?.architecture ?? ''), tensors }
}

export async function readBaseShapes (path: string): Promise<BaseModelShapes> {
  let parsed
  try {
    parsed = await readHeader(path)
  } catch (err) {
    throw new ModelLoadError(path, { cause: err })
  }
  const md = parsed.metadata as Record<string, unknown>
  const tensors = new Map<string, number[]>()
  for (const t of parsed.tensorInfos) tensors.set(t.name, t.shape.map(Number))
  return { path, architecture: String(md['general.architecture'] ?? ''), tensors }
}

/** Throws a named error unless `path` is a LoRA that llama.cpp can apply to `base`. */
export async function checkLora (path: string, base: BaseModelShapes): Promise<CheckedLora> {
  const abs = resolve(path)
  try {
    const s = await stat(abs)
    if (!s.isFile()) throw new Error('not a regular file')
  } catch (err) {
    throw new AdapterFileNotFoundError(path, { cause: err })
  }
  let parsed
  try {
    parsed = await readHeader(abs)
  } catch (err) {
    throw new NotALoraAdapterError(path, 'not a readable GGUF file', { cause: err })
  }
  const md = parsed.metadata as Record<string, unknown>
  const generalType = md['general.type']
  if (generalType !== 'adapter') {
    throw new NotALoraAdapterError(path, `general.type is ${JSON.stringify(generalType ?? null)}, expected "adapter"`)
  }
  const adapterType = md['adapter.type']
  if (adapterType !== 'lora') {
    throw new NotALoraAdapterError(path, `adapter.type is ${JSON.stringify(adapterType ?? null)}, expected "lora"`)
  }
  const architecture = String(md['general.architecture'] ?? '')
  if (architecture !== base.architecture) {
    throw new AdapterBaseMismatchError(path, { expected: `architecture ${base.architecture}`, actual: `architecture ${architecture || '(none)'}` })
  }

  const pairs = new Map<string, { a?: number[], b?: number[] }>()
  for (const t of parsed.tensorInfos) {
    const m = /^(.+)\.lora_([ab])$/.exec(t.name)
    if (m == null) throw new NotALoraAdapterError(path, `tensor ${t.name} is not a lora_a/lora_b tensor`)
    const [, target = '', which] = m
    const pair = pairs.get(target) ?? {}
    const dims = t.shape.map(Number)
    if (which === 'a') pair.a = dims
    else pair.b = dims
    pairs.set(target, pair)
  }
  if (pairs.size === 0) throw new NotALoraAdapterError(path, 'no lora_a/lora_b tensors')

  let rank = 0
  for (const [target, { a, b }] of pairs) {
    if (a == null || b == null) {
      throw new NotALoraAdapterError(path, `tensor ${target} has lora_${a == null ? 'b' : 'a'} but no lora_${a == null ? 'a' : 'b'}`)
    }
    const w = base.tensors.get(target)
    if (w == null) {
      throw new AdapterBaseMismatchError(path, { tensor: target, expected: 'a tensor the base model has', actual: 'a tensor the base model lacks' })
    }
    // llama.cpp: W ne [n_in, n_out]; lora_a ne [n_in, r]; lora_b ne [r, n_out].
    if (a.length !== 2 || b.length !== 2 || a[0] !== w[0] || b[1] !== w[1] || a[1] !== b[0]) {
      throw new AdapterBaseMismatchError(path, {
        tensor: target,
        expected: `lora_a [${w[0]}, r] and lora_b [r, ${w[1]}]`,
        actual: `lora_a [${a.join(', ')}] and lora_b [${b.join(', ')}]`
      })
    }
    rank = Math.max(rank, a[1] ?? 0)
  }
  const out: CheckedLora = { path: abs, architecture, rank, targets: pairs.size }
  if (typeof md['general.name'] === 'string') out.name = md['general.name']
  if (typeof md['adapter.lora.alpha'] === 'number') out.alpha = md['adapter.lora.alpha']
  return out
}

/** Remembers checks per (path, size, mtime), so a pool hit does not re-read headers. */
export class LoraChecker {
  private readonly cache = new Map<string, { stamp: string, info: CheckedLora }>()
  private readonly base: BaseModelShapes

  constructor (base: BaseModelShapes) {
    this.base = base
  }

  async check (path: string): Promise<CheckedLora> {
    const abs = resolve(path)
    let stamp: string
    try {
      const s = await stat(abs)
      stamp = `${s.size}:${s.mtimeMs}`
    } catch (err) {
      throw new AdapterFileNotFoundError(path, { cause: err })
    }
    const hit = this.cache.get(abs)
    if (hit?.stamp === stamp) return hit.info
    const info = await checkLora(path, this.base)
    this.cache.set(abs, { stamp, info })
    return info
  }
}
