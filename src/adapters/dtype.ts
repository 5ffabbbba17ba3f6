/**
 * Half-precision conversions (IEEE binary16 and bfloat16) to and from float32, little-endian.
 */

let halfTable: Float32Array | undefined

function halfToFloat (h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

function table (): Float32Array {
  if (halfTable == null) {
    halfTable = new Float32Array(65536)
    for (let i = 0; i < 65536; i++) halfTable[i] = halfToFloat(i)
  }
  return halfTable
}

/** Decode `count` little-endian binary16 values starting at `offset`. */
export function f16ToF32 (bytes: Uint8Array, offset: number, count: number): Float32Array {
  const t = table()
  const out = new Float32Array(count)
  for (let i = 0, p = offset; i < count; i++, p += 2) {
    out[i] = t[(bytes[p] as number) | ((bytes[p + 1] as number) << 8)] as number
  }
  return out
}

/** Decode `count` little-endian bfloat16 values: each is the top half of a float32. */
export function bf16ToF32 (bytes: Uint8Array, offset: number, count: number): Float32Array {
  const u32 = new Uint32Array(count)
  for (let i = 0, p = offset; i < count; i++, p += 2) {
    u32[i] = (((bytes[p] as number) | ((bytes[p + 1] as number) << 8)) << 16) >>> 0
  }
  return new Float32Array(u32.buffer)
}

/** Decode `count` little-endian float32 values (copies; works at any alignment). */
export function f32FromBytes (bytes: Uint8Array, offset: number, count: number): Float32Array {
  // a fresh buffer: Node's Buffer#slice is a view, whose offset may not be a multiple of 4
  const copy = new Uint8Array(count * 4)
  copy.set(bytes.subarray(offset, offset + count * 4))
  return new Float32Array(copy.buffer, 0, count)
}

const f32Buf = new Float32Array(1)
const u32Buf = new Uint32Array(f32Buf.buffer)

/** float32 → binary16 bits, round to nearest even; overflow goes to ±Inf. */
export function floatToHalfBits (value: number): number {
  f32Buf[0] = value
  const x = u32Buf[0] as number
  const sign = (x >>> 16) & 0x8000
  const exp = (x >>> 23) & 0xff
  let mant = x & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0)
  const e = exp - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    const half = 1 << (shift - 1)
    const rest = mant & ((1 << shift) - 1)
    let h = mant >>> shift
    if (rest > half || (rest === half && (h & 1) === 1)) h++
    return sign | h
  }
  let h = (e << 10) | (mant >>> 13)
  const rest = mant & 0x1fff
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++
  return sign | h
}

/** float32 → bfloat16 bits, round to nearest even. */
export function floatToBf16Bits (value: number): number {
  f32Buf[0] = value
  const x = u32Buf[0] as number
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff
  const rounded = x + 0x7fff + ((x >>> 16) & 1)
  return (rounded >>> 16) & 0xffff
}

/** Encode float32 values as little-endian bytes of the given dtype. */
export function encodeFloats (data: Float32Array, dtype: 'F32' | 'F16' | 'BF16'): Uint8Array {
  if (dtype === 'F32') {
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
  }
  const out = new Uint8Array(data.length * 2)
  for (let i = 0; i < data.length; i++) {
    const h = dtype === 'F16' ? floatToHalfBits(data[i] as number) : floatToBf16Bits(data[i] as number)
    out[2 * i] = h & 0xff
    out[2 * i + 1] = h >>> 8
  }
  return out
}

/** Index of the first NaN/±Inf, or -1. */
export function firstNonFinite (data: Float32Array | Float64Array): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number
    if (v - v !== 0) return i
  }
  return -1
}
