/**
 * Bit-level codec of the BitDelta container: ±1 signs packed to bits, and block scales stored as
 * one float32 unit (max |scale|) per factor plus a float16 ratio per block.
 */
import { f16ToF32, floatToHalfBits } from './dtype.ts'

/** ±1 signs → bits (1 = +), LSB first. */
export function packSigns (signs: Int8Array): Uint8Array {
  const bits = new Uint8Array(Math.ceil(signs.length / 8))
  for (let k = 0; k < signs.length; k++) if ((signs[k] as number) > 0) bits[k >> 3] = (bits[k >> 3] as number) | (1 << (k & 7))
  return bits
}

/** bits (1 = +) → ±1 signs. */
export function unpackSigns (bits: Uint8Array, n: number): Int8Array {
  const signs = new Int8Array(n)
  for (let k = 0; k < n; k++) signs[k] = (((bits[k >> 3] as number) >> (k & 7)) & 1) === 1 ? 1 : -1
  return signs
}

/**
 * Scales: one float32 unit per factor plus a float16 ratio per block keeps full relative
 * precision even for very small updates. The quantiser rounds through this codec, so the error
 * it reports is the stored one.
 */
export function encodeScales (scales: Float32Array): { unit: number, halves: Uint16Array } {
  let unit = 0
  for (const v of scales) unit = Math.max(unit, Math.abs(v))
  unit = Math.fround(unit)
  const halves = new Uint16Array(scales.length)
  if (unit > 0) for (let i = 0; i < scales.length; i++) halves[i] = floatToHalfBits((scales[i] as number) / unit)
  return { unit, halves }
}

export function decodeScales (unit: number, halves: Uint16Array): Float32Array {
  const bytes = new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength)
  const ratios = f16ToF32(bytes, 0, halves.length)
  const out = new Float32Array(halves.length)
  for (let i = 0; i < out.length; i++) out[i] = unit * (ratios[i] as number)
  return out
}
