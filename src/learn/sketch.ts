/**
 * 1-bit embedding sketches (BitDelta applied to an experience's embedding): sign bits plus one
 * scale (mean |x|). 384 dims → 48 bytes of bits + a scale. Embeddings wider than 1024 dims (the
 * built-in hashed embedder has 4096) are first projected onto 384 fixed random hyperplanes
 * (SimHash), so the sketch stays small and Hamming distance still estimates the angle.
 *
 * A sketch travels with each experience so peers can spot near-duplicates cheaply; receivers
 * still re-embed the text locally before trusting any similarity.
 */
import { createHash } from 'node:crypto'
import { MAX_DIRECT_SKETCH_DIMS, MAX_SKETCH_EMBEDDER_CHARS, SKETCH_PROJECTED_BITS } from './constants.ts'
import type { ExperienceBody } from '../artifacts/index.ts'

export type Sketch = ExperienceBody['sketch']

/** The sketch's `embedder` field: the embedder id, shortened with a hash when over 64 characters. */
export function sketchEmbedderId (embedderId: string): string {
  if (embedderId.length <= MAX_SKETCH_EMBEDDER_CHARS) return embedderId
  const h = createHash('sha256').update(embedderId).digest('hex').slice(0, 12)
  return `${embedderId.slice(0, MAX_SKETCH_EMBEDDER_CHARS - 13)}#${h}`
}

/** Fills `row` with the ±1 hyperplane coordinates of input dimension `i` (xorshift32 seeded by i): the same on every node. */
function projectionRow (i: number, row: Int8Array): void {
  let s = (Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0
  if (s === 0) s = 1
  for (let w = 0; w < row.length; w += 32) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0
    for (let b = 0; b < 32 && w + b < row.length; b++) row[w + b] = ((s >>> b) & 1) === 0 ? 1 : -1
  }
}

/**
 * The vector whose signs form the sketch: the embedding itself (learned embedders are dense), or
 * for wide (hashed, sparse) embeddings its projection on 384 random hyperplanes — only non-zero
 * coordinates cost anything, so 65,536-dim sparse vectors sketch in microseconds.
 */
function sketchBasis (v: Float32Array): Float32Array {
  if (v.length <= MAX_DIRECT_SKETCH_DIMS) return v
  const out = new Float32Array(SKETCH_PROJECTED_BITS)
  const row = new Int8Array(SKETCH_PROJECTED_BITS)
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!
    if (x === 0) continue
    projectionRow(i, row)
    for (let j = 0; j < SKETCH_PROJECTED_BITS; j++) out[j] = out[j]! + x * row[j]!
  }
  return out
}

/** Sign bits (bit set = x ≥ 0, little-endian within each byte) and scale = mean |x|. */
export function sketchEmbedding (embedding: Float32Array, embedderId: string): Sketch {
  const v = sketchBasis(embedding)
  const bits = new Uint8Array(Math.ceil(v.length / 8))
  let sum = 0
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!
    if (x >= 0) bits[i >> 3] = bits[i >> 3]! | (1 << (i & 7))
    sum += Math.abs(x)
  }
  return { embedder: sketchEmbedderId(embedderId), bits, scale: Math.fround(v.length === 0 ? 0 : sum / v.length) }
}

/** Reconstructs the 1-bit vector sign·scale (the BitDelta dequantisation). */
export function sketchToVector (sketch: Sketch, length = sketch.bits.length * 8): Float32Array {
  const out = new Float32Array(length)
  for (let i = 0; i < length; i++) out[i] = ((sketch.bits[i >> 3]! >> (i & 7)) & 1) === 1 ? sketch.scale : -sketch.scale
  return out
}

function popcount8 (x: number): number {
  x = x - ((x >> 1) & 0x55)
  x = (x & 0x33) + ((x >> 2) & 0x33)
  return (x + (x >> 4)) & 0x0f
}

export function hammingDistance (a: Uint8Array, b: Uint8Array): number {
  let d = 0
  for (let i = 0; i < a.length; i++) d += popcount8(a[i]! ^ b[i]!)
  return d
}

/**
 * Two sketches are comparable when made by the same embedder; the built-in embedder's id ends
 * with a fingerprint of its fitted idf (`…:<hex>`), which only reweights features, so ids that
 * differ only there still compare.
 */
export function sketchesComparable (a: Sketch, b: Sketch): boolean {
  if (a.bits.length !== b.bits.length || a.bits.length === 0) return false
  if (a.embedder === b.embedder) return true
  const family = (id: string): string => id.replace(/:[0-9a-f]{6,}$|:unfitted$/, '')
  return family(a.embedder) === family(b.embedder) && a.embedder.startsWith('builtin:')
}

/**
 * Estimated cosine between the embeddings behind two sketches: cos(π·h/n), the angle estimate of
 * random-hyperplane hashing (and, by Sheppard's formula, of sign bits of roughly Gaussian
 * coordinates). Null when the sketches are not comparable.
 */
export function sketchCosine (a: Sketch, b: Sketch): number | null {
  if (!sketchesComparable(a, b)) return null
  const n = a.bits.length * 8
  return Math.cos(Math.PI * hammingDistance(a.bits, b.bits) / n)
}
