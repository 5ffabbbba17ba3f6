/**
 * BitDelta container: "BDLT", version byte, 3 reserved bytes, u32 header length, a compact JSON
 * header, then per target the quantised factors (A then B; dense targets: ΔW rows), each as
 * f32 unit + f16 block ratios + packed sign bits; extras follow as raw float32.
 */
import { readFile } from 'node:fs/promises'
import { BitDeltaFormatError, AdapterNotFoundError } from './errors.ts'
import { quantiseTarget, reconstructTarget, targetErrorSquares } from './bitdelta.ts'
import { decodeScales, encodeScales, packSigns, unpackSigns } from './bitdelta-codec.ts'
import type { BitDeltaOptions, QuantisedTarget, SignBlocks } from './bitdelta.ts'
import { DEFAULT_GROUP } from './bitdelta.ts'
import { writeFileAtomic } from './atomic.ts'
import type { AdapterOpOptions, ExtraTensor, LoraAdapter } from './types.ts'

export const BITDELTA_MAGIC = 'BDLT'
const VERSION = 1

type TargetRow = [name: string, rank: number, alpha: number, scale: number, out: number, nIn: number, mode: 'factors' | 'dense']
type ExtraRow = [name: string, shape: number[], dtype: 'F32' | 'F16' | 'BF16']

interface Header {
  v: number
  group: number
  frame: LoraAdapter['frame']
  arch: string | null
  baseModel: string | null
  fanInFanOut: boolean
  sourceFormat: LoraAdapter['format']
  peftConfig?: Record<string, unknown>
  targets: TargetRow[]
  extras: ExtraRow[]
}

function blocksBytes (count: number, length: number, group: number): { scales: number, bits: number } {
  return { scales: count * Math.ceil(length / group), bits: Math.ceil((count * length) / 8) }
}

function writeBlocks (parts: Uint8Array[], q: SignBlocks): void {
  const { unit, halves } = encodeScales(q.scales)
  const head = new Uint8Array(4 + halves.length * 2)
  const dv = new DataView(head.buffer)
  dv.setFloat32(0, unit, true)
  for (let i = 0; i < halves.length; i++) dv.setUint16(4 + 2 * i, halves[i] as number, true)
  parts.push(head, packSigns(q.signs))
}

export function encodeBitDelta (adapter: LoraAdapter, quantised: QuantisedTarget[], group: number): Uint8Array {
  const header: Header = {
    v: VERSION,
    group,
    frame: adapter.frame,
    arch: adapter.arch ?? null,
    baseModel: adapter.baseModel ?? null,
    fanInFanOut: adapter.fanInFanOut,
    sourceFormat: adapter.format,
    ...(adapter.peftConfig != null ? { peftConfig: adapter.peftConfig } : {}),
    targets: quantised.map((q) => [q.name, q.rank, q.alpha, q.scale, q.out, q.in, q.mode]),
    extras: adapter.extras.map((e) => [e.name, e.shape, e.dtype])
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const parts: Uint8Array[] = []
  const pre = new Uint8Array(12)
  pre.set(new TextEncoder().encode(BITDELTA_MAGIC), 0)
  pre[4] = VERSION
  new DataView(pre.buffer).setUint32(8, json.length, true)
  parts.push(pre, json)
  for (const q of quantised) {
    writeBlocks(parts, q.a)
    if (q.mode === 'factors') writeBlocks(parts, q.b)
  }
  for (const e of adapter.extras) parts.push(new Uint8Array(e.data.buffer.slice(e.data.byteOffset, e.data.byteOffset + e.data.byteLength)))
  const total = parts.reduce((s, p) => s + p.length, 0)
  const out = new Uint8Array(total)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

class Reader {
  pos: number
  readonly bytes: Uint8Array
  readonly path: string | undefined
  constructor (bytes: Uint8Array, path: string | undefined, start: number) {
    this.bytes = bytes
    this.path = path
    this.pos = start
  }

  take (n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new BitDeltaFormatError(this.path, `truncated: needs ${this.pos + n} bytes, has ${this.bytes.length}`)
    const s = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return s
  }
}

function readBlocks (r: Reader, count: number, length: number, group: number): SignBlocks {
  const sizes = blocksBytes(count, length, group)
  const head = r.take(4 + sizes.scales * 2)
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const unit = dv.getFloat32(0, true)
  if (!Number.isFinite(unit)) throw new BitDeltaFormatError(r.path, 'non-finite scale unit')
  const halves = new Uint16Array(sizes.scales)
  for (let i = 0; i < halves.length; i++) halves[i] = dv.getUint16(4 + 2 * i, true)
  const scales = decodeScales(unit, halves)
  if (scales.some((v) => !Number.isFinite(v))) throw new BitDeltaFormatError(r.path, 'non-finite block scale')
  return { count, length, group, signs: unpackSigns(r.take(sizes.bits), count * length), scales }
}

function isPosInt (x: unknown): x is number { return typeof x === 'number' && Number.isInteger(x) && x > 0 }

/** Decode a BitDelta container into an adapter (factors reconstructed as float32). */
export function decodeBitDelta (bytes: Uint8Array, path?: string): LoraAdapter {
  if (bytes.length < 12 || new TextDecoder('latin1').decode(bytes.subarray(0, 4)) !== BITDELTA_MAGIC) throw new BitDeltaFormatError(path, 'missing BDLT magic')
  if (bytes[4] !== VERSION) throw new BitDeltaFormatError(path, `unsupported version ${bytes[4]}`)
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true)
  const r = new Reader(bytes, path, 12)
  let h: Header
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.take(hlen))) as Header
  } catch (err) {
    if ((err as Error).name === 'BitDeltaFormatError') throw err
    throw new BitDeltaFormatError(path, 'header is not valid JSON', { cause: err })
  }
  if (!isPosInt(h.group) || !Array.isArray(h.targets) || !Array.isArray(h.extras)) throw new BitDeltaFormatError(path, 'header lacks group/targets/extras')
  const targets = h.targets.map((row) => {
    const [name, rank, alpha, scale, out, nIn, mode] = row
    if (typeof name !== 'string' || !isPosInt(rank) || !isPosInt(out) || !isPosInt(nIn) || typeof alpha !== 'number' || typeof scale !== 'number' || (mode !== 'factors' && mode !== 'dense')) {
      throw new BitDeltaFormatError(path, `bad target entry ${JSON.stringify(row)}`)
    }
    const a = mode === 'dense' ? readBlocks(r, out, nIn, h.group) : readBlocks(r, rank, nIn, h.group)
    const b = mode === 'dense' ? { count: 0, length: 0, group: h.group, signs: new Int8Array(0), scales: new Float32Array(0) } : readBlocks(r, rank, out, h.group)
    return reconstructTarget({ name, rank, alpha, scale, out, in: nIn, mode, a, b })
  })
  const extras: ExtraTensor[] = h.extras.map(([name, shape, dtype]) => {
    const n = shape.reduce((p, d) => p * d, 1)
    const raw = r.take(n * 4).slice()
    return { name, shape, dtype, data: new Float32Array(raw.buffer, 0, n) }
  })
  if (r.pos !== bytes.length) throw new BitDeltaFormatError(path, `${bytes.length - r.pos} unexpected trailing bytes`)
  return {
    format: 'bitdelta',
    frame: h.frame === 'gguf' ? 'gguf' : 'hf',
    arch: h.arch ?? undefined,
    baseModel: h.baseModel ?? undefined,
    fanInFanOut: h.fanInFanOut === true,
    targets,
    extras,
    warnings: [],
    ...(h.peftConfig != null ? { peftConfig: h.peftConfig } : {}),
    sourceDtype: 'F32'
  }
}

export async function readBitDelta (path: string): Promise<LoraAdapter> {
  let bytes: Uint8Array
  try { bytes = await readFile(path) } catch (err) { throw new AdapterNotFoundError(path, 'cannot read BitDelta file', { cause: err }) }
  return decodeBitDelta(bytes, path)
}

export interface CompressResult {
  bytes: Uint8Array
  /** fp32 factor bytes / container bytes. */
  ratio: number
  /** ‖ΔW − ΔŴ‖_F / ‖ΔW‖_F over all targets, measured on the decoded container. */
  relError: number
  fp32FactorBytes: number
  compressedBytes: number
  denseTargets: number
  perTarget: Array<{ name: string, relError: number }>
}

/** Compress an adapter's factors to the BitDelta container and measure what was lost. */
export function compressAdapter (adapter: LoraAdapter, options: BitDeltaOptions & AdapterOpOptions = {}): CompressResult {
  const group = options.group ?? DEFAULT_GROUP
  const quantised: QuantisedTarget[] = []
  adapter.targets.forEach((t, i) => {
    options.signal?.throwIfAborted()
    quantised.push(quantiseTarget(t, options))
    options.onProgress?.({ type: 'adapters:compress', done: i + 1, total: adapter.targets.length, target: t.name })
  })
  const bytes = encodeBitDelta(adapter, quantised, group)
  const decoded = decodeBitDelta(bytes)
  let err = 0
  let norm = 0
  const perTarget = adapter.targets.map((t, i) => {
    const e = targetErrorSquares(t, decoded.targets[i] as typeof t)
    err += e.err
    norm += e.norm
    return { name: t.name, relError: e.norm === 0 ? 0 : Math.sqrt(e.err / e.norm) }
  })
  const fp32FactorBytes = adapter.targets.reduce((s, t) => s + 4 * t.rank * (t.a.cols + t.b.rows), 0)
  return {
    bytes,
    ratio: fp32FactorBytes / bytes.length,
    relError: norm === 0 ? 0 : Math.sqrt(err / norm),
    fp32FactorBytes,
    compressedBytes: bytes.length,
    denseTargets: quantised.filter((q) => q.mode === 'dense').length,
    perTarget
  }
}

export async function writeBitDelta (path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(path, bytes)
}
