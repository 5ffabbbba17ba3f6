/**
 * Dense vectors a store can keep, from the built-in sparse embedder (65,536 hashed dimensions,
 * a few dozen non-zero): a fixed, seeded random projection (Achlioptas ±1, Johnson–Lindenstrauss),
 * then L2 normalisation.
 *
 * Output coordinate `j` adds `±value` of each non-zero sparse index `i`, the sign being one bit
 * of a 32-bit hash of (`PROJECTION_SEED`, `i`, `j`). Nothing is stored or trained, every node gets
 * the same vectors, and a vector of `d` dimensions is the first `d` coordinates of the
 * 1024-dimensional one (re-normalised), so shorter vectors are prefixes of longer ones. Cosine
 * similarity is kept up to about ±1/sqrt(d) (±0.05 at 384).
 *
 * Vectors that are already dense with at most 1024 dimensions (a configured embedding model)
 * are kept as they are, cut to `dimensions` and re-normalised when fewer are asked for.
 */
import { BaobabError } from '../errors/index.ts'

/** Default output size. */
export const DENSE_DIMS = 384
/** Largest output size. */
export const MAX_DENSE_DIMS = 1024
/** Changing it changes every vector: bump `DENSE_PROJECTION_ID` with it. */
export const PROJECTION_SEED = 0xba0bab
export const DENSE_PROJECTION_ID = 'dense-projection@1'

export class InvalidDimensionsError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly param = 'dimensions'
  constructor (dims: number, max: number) {
    super(`dimensions must be an integer from 1 to ${max} (got ${dims})`)
  }
}

/** One well-mixed 32-bit hash of (seed, i, j) (murmur3 finaliser over a combined key). */
function mix (i: number, j: number): number {
  let h = (PROJECTION_SEED ^ Math.imul(i, 0x9e3779b1) ^ Math.imul(j + 0x632be5ab, 0x85ebca77)) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Projects a sparse vector (any length) to `dims` dense coordinates, L2-normalised. */
export function projectSparse (vector: ArrayLike<number>, dims: number = DENSE_DIMS): number[] {
  checkDims(dims, MAX_DENSE_DIMS)
  const out = new Float64Array(dims)
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i]!
    if (v === 0) continue
    for (let j = 0; j < dims; j++) out[j]! += (mix(i, j) & 1) === 1 ? v : -v
  }
  return normalise(out)
}

/**
 * The dense vector for an embedder's output: projected when it is longer than `MAX_DENSE_DIMS`,
 * else kept (cut to `dims` when given).
 */
export function denseVector (vector: ArrayLike<number>, dims?: number): number[] {
  if (vector.length > MAX_DENSE_DIMS) return projectSparse(vector, dims ?? DENSE_DIMS)
  if (dims == null || dims >= vector.length) return Array.from(vector)
  checkDims(dims, vector.length)
  return normalise(Float64Array.from({ length: dims }, (_, j) => vector[j]!))
}

/** The size `denseVector` produces for an embedder of `sourceDims`. */
export function denseDims (sourceDims: number, dims?: number): number {
  if (sourceDims > MAX_DENSE_DIMS) return dims ?? DENSE_DIMS
  return Math.min(dims ?? sourceDims, sourceDims)
}

function checkDims (dims: number, max: number): void {
  if (!Number.isSafeInteger(dims) || dims < 1 || dims > max) throw new InvalidDimensionsError(dims, max)
}

function normalise (v: Float64Array): number[] {
  let n = 0
  for (const x of v) n += x * x
  const s = n > 0 ? 1 / Math.sqrt(n) : 0
  return Array.from(v, x => Math.fround(x * s)) // float32 values: base64 and JSON agree exactly
}
