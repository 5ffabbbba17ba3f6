/**
 * GGUF v3 writer (little-endian): header, key/values, tensor infos, padding to the alignment,
 * then each tensor's data at an aligned offset (padding after every tensor, as gguf-py does).
 * Reading is done with @huggingface/gguf (see gguf-lora.ts).
 */
import { GgufFormatError } from './errors.ts'
import type { GgufKv } from './types.ts'

/** GGUF metadata value types. */
export const GGUF_TYPE = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7,
  STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12
} as const

/** ggml tensor types this package reads or writes. */
export const GGML_TYPE = { F32: 0, F16: 1, BF16: 30 } as const

export const GGUF_DEFAULT_ALIGNMENT = 32

export interface GgufTensorOut {
  name: string
  /** ggml `ne`: fastest-varying dimension first (a row-major [rows][cols] matrix is [cols, rows]). */
  ne: number[]
  ggmlType: number
  data: Uint8Array
}

class ByteWriter {
  private buf = new Uint8Array(1024)
  private view = new DataView(this.buf.buffer)
  length = 0

  private ensure (n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  u8 (v: number): void { this.ensure(1); this.view.setUint8(this.length, v); this.length += 1 }
  i8 (v: number): void { this.ensure(1); this.view.setInt8(this.length, v); this.length += 1 }
  u16 (v: number): void { this.ensure(2); this.view.setUint16(this.length, v, true); this.length += 2 }
  i16 (v: number): void { this.ensure(2); this.view.setInt16(this.length, v, true); this.length += 2 }
  u32 (v: number): void { this.ensure(4); this.view.setUint32(this.length, v, true); this.length += 4 }
  i32 (v: number): void { this.ensure(4); this.view.setInt32(this.length, v, true); this.length += 4 }
  f32 (v: number): void { this.ensure(4); this.view.setFloat32(this.length, v, true); this.length += 4 }
  f64 (v: number): void { this.ensure(8); this.view.setFloat64(this.length, v, true); this.length += 8 }
  u64 (v: number | bigint): void { this.ensure(8); this.view.setBigUint64(this.length, BigInt(v), true); this.length += 8 }
  i64 (v: number | bigint): void { this.ensure(8); this.view.setBigInt64(this.length, BigInt(v), true); this.length += 8 }
  bytes (b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length }
  str (s: string): void { const b = new TextEncoder().encode(s); this.u64(b.length); this.bytes(b) }
  pad (alignment: number): void { const n = (alignment - (this.length % alignment)) % alignment; this.ensure(n); this.length += n }
  result (): Uint8Array { return this.buf.slice(0, this.length) }
}

function num (v: unknown, key: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  throw new GgufFormatError(undefined, `metadata ${key}: expected a number, got ${typeof v}`)
}

function writeValue (w: ByteWriter, type: number, value: unknown, key: string, subType?: number): void {
  switch (type) {
    case GGUF_TYPE.UINT8: w.u8(num(value, key)); break
    case GGUF_TYPE.INT8: w.i8(num(value, key)); break
    case GGUF_TYPE.UINT16: w.u16(num(value, key)); break
    case GGUF_TYPE.INT16: w.i16(num(value, key)); break
    case GGUF_TYPE.UINT32: w.u32(num(value, key)); break
    case GGUF_TYPE.INT32: w.i32(num(value, key)); break
    case GGUF_TYPE.FLOAT32: w.f32(num(value, key)); break
    case GGUF_TYPE.FLOAT64: w.f64(num(value, key)); break
    case GGUF_TYPE.BOOL: w.u8(value === true || value === 1 ? 1 : 0); break
    case GGUF_TYPE.UINT64: w.u64(typeof value === 'bigint' ? value : BigInt(num(value, key))); break
    case GGUF_TYPE.INT64: w.i64(typeof value === 'bigint' ? value : BigInt(num(value, key))); break
    case GGUF_TYPE.STRING:
      if (typeof value !== 'string') throw new GgufFormatError(undefined, `metadata ${key}: expected a string`)
      w.str(value)
      break
    case GGUF_TYPE.ARRAY: {
      if (!Array.isArray(value) || subType == null) throw new GgufFormatError(undefined, `metadata ${key}: array needs a value list and a subType`)
      w.u32(subType)
      w.u64(value.length)
      for (const item of value) writeValue(w, subType, item, key)
      break
    }
    default:
      throw new GgufFormatError(undefined, `metadata ${key}: unknown value type ${type}`)
  }
}

/** Serialise a complete GGUF v3 file. */
export function encodeGguf (kv: GgufKv[], tensors: GgufTensorOut[], alignment = GGUF_DEFAULT_ALIGNMENT): Uint8Array {
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
    throw new GgufFormatError(undefined, `alignment ${alignment} must be a positive multiple of 8`)
  }
  const w = new ByteWriter()
  w.bytes(new TextEncoder().encode('GGUF'))
  w.u32(3)
  w.u64(tensors.length)
  w.u64(kv.length)
  for (const e of kv) {
    w.str(e.key)
    w.u32(e.type)
    writeValue(w, e.type, e.value, e.key, e.subType)
  }
  let offset = 0
  for (const t of tensors) {
    w.str(t.name)
    w.u32(t.ne.length)
    for (const d of t.ne) w.u64(d)
    w.u32(t.ggmlType)
    w.u64(offset)
    offset += t.data.length
    offset += (alignment - (offset % alignment)) % alignment
  }
  w.pad(alignment)
  for (const t of tensors) {
    w.bytes(t.data)
    w.pad(alignment)
  }
  return w.result()
}
