/**
 * safetensors: 8-byte little-endian header length, a JSON header, then raw little-endian data.
 * The reader validates everything the header claims against the bytes; the writer produces the
 * same layout the Hugging Face library does (compact JSON, keys sorted, space padding to 8).
 */
import { bf16ToF32, encodeFloats, f16ToF32, f32FromBytes } from './dtype.ts'
import {
  DtypeSizeMismatchError, SafetensorsHeaderError, SafetensorsTruncatedError, TensorOffsetError,
  UnsupportedDtypeError
} from './errors.ts'

export type FloatDtype = 'F32' | 'F16' | 'BF16'

export interface SafeTensor {
  name: string
  dtype: FloatDtype
  shape: number[]
  data: Float32Array
}

export interface SafetensorsFile {
  metadata: Record<string, string> | undefined
  tensors: SafeTensor[]
}

const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1, F8_E4M3: 1, F8_E5M2: 1
}

/** Largest header we accept (the spec's own limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000

interface Entry { name: string, dtype: string, shape: number[], begin: number, end: number }

function isUint (x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}

function parseEntries (header: unknown, path: string | undefined): { entries: Entry[], metadata: Record<string, string> | undefined } {
  if (header == null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsHeaderError(path, 'header is not a JSON object')
  }
  const entries: Entry[] = []
  let metadata: Record<string, string> | undefined
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw == null || typeof raw !== 'object' || Array.isArray(raw) ||
        Object.values(raw).some((v) => typeof v !== 'string')) {
        throw new SafetensorsHeaderError(path, '__metadata__ must map strings to strings')
      }
      metadata = raw as Record<string, string>
      continue
    }
    const e = raw as { dtype?: unknown, shape?: unknown, data_offsets?: unknown } | null
    if (e == null || typeof e !== 'object') throw new SafetensorsHeaderError(path, 'entry is not an object', name)
    if (typeof e.dtype !== 'string') throw new SafetensorsHeaderError(path, 'dtype missing', name)
    if (!Array.isArray(e.shape) || !e.shape.every(isUint)) throw new SafetensorsHeaderError(path, 'shape must be non-negative integers', name)
    const off = e.data_offsets
    if (!Array.isArray(off) || off.length !== 2 || !isUint(off[0]) || !isUint(off[1]) || off[1] < off[0]) {
      throw new SafetensorsHeaderError(path, 'data_offsets must be [begin, end] with 0 <= begin <= end', name)
    }
    entries.push({ name, dtype: e.dtype, shape: e.shape as number[], begin: off[0], end: off[1] })
  }
  return { entries, metadata }
}

/** Parse and validate a safetensors buffer; float tensors are decoded to float32. */
export function parseSafetensors (bytes: Uint8Array, path?: string): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsTruncatedError(path, 8, bytes.length)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = view.getBigUint64(0, true)
  if (headerLen > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsHeaderError(path, `header length ${headerLen} is over the ${MAX_HEADER_BYTES}-byte limit`)
  }
  const n = Number(headerLen)
  if (8 + n > bytes.length) throw new SafetensorsTruncatedError(path, 8 + n, bytes.length)
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)))
  } catch (err) {
    throw new SafetensorsHeaderError(path, 'header is not valid UTF-8 JSON', undefined, { cause: err })
  }
  const { entries, metadata } = parseEntries(header, path)
  const dataStart = 8 + n
  const dataBytes = bytes.length - dataStart
  for (const e of entries) {
    const size = DTYPE_BYTES[e.dtype]
    if (size == null) throw new UnsupportedDtypeError(e.name, e.dtype)
    const expected = size * e.shape.reduce((p, d) => p * d, 1)
    if (e.end - e.begin !== expected) throw new DtypeSizeMismatchError(e.name, e.dtype, expected, e.end - e.begin)
  }
  const sorted = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end)
  let cursor = 0
  for (const e of sorted) {
    if (e.begin !== cursor) {
      const why = e.begin < cursor ? 'overlap the previous tensor' : e.end > dataBytes ? 'point past the end of the data' : 'leave a gap after the previous tensor'
      throw new TensorOffsetError(path, e.name, [e.begin, e.end], dataBytes, why)
    }
    cursor = e.end
  }
  if (cursor > dataBytes) throw new SafetensorsTruncatedError(path, dataStart + cursor, bytes.length)
  if (cursor < dataBytes) throw new SafetensorsHeaderError(path, `${dataBytes - cursor} trailing data bytes are not covered by any tensor`)
  const tensors: SafeTensor[] = entries.map((e) => {
    const count = e.shape.reduce((p, d) => p * d, 1)
    const at = dataStart + e.begin
    let data: Float32Array
    if (e.dtype === 'F32') data = f32FromBytes(bytes, at, count)
    else if (e.dtype === 'F16') data = f16ToF32(bytes, at, count)
    else if (e.dtype === 'BF16') data = bf16ToF32(bytes, at, count)
    else throw new UnsupportedDtypeError(e.name, e.dtype)
    return { name: e.name, dtype: e.dtype, shape: e.shape, data }
  })
  return { metadata, tensors }
}

/** Serialise tensors (sorted by name) exactly as the reference library lays them out. */
export function encodeSafetensors (tensors: SafeTensor[], metadata?: Record<string, string>): Uint8Array {
  const sorted = [...tensors].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
  const header: Record<string, unknown> = {}
  if (metadata != null) header.__metadata__ = metadata
  const blobs: Uint8Array[] = []
  let offset = 0
  for (const t of sorted) {
    const count = t.shape.reduce((p, d) => p * d, 1)
    if (count !== t.data.length) throw new SafetensorsHeaderError(undefined, `shape [${t.shape.join(', ')}] does not match ${t.data.length} values`, t.name)
    const blob = encodeFloats(t.data, t.dtype)
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + blob.length] }
    offset += blob.length
    blobs.push(blob)
  }
  let json = JSON.stringify(header)
  const raw = new TextEncoder().encode(json)
  const pad = (8 - (raw.length % 8)) % 8
  json += ' '.repeat(pad)
  const headerBytes = new TextEncoder().encode(json)
  const out = new Uint8Array(8 + headerBytes.length + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true)
  out.set(headerBytes, 8)
  let p = 8 + headerBytes.length
  for (const b of blobs) { out.set(b, p); p += b.length }
  return out
}
