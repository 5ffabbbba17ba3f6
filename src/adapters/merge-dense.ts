/**
 * Element-wise merges that need the dense ΔW of each source: TIES (trim, elect sign, disjoint
 * mean) and DARE (random drop with rescale). One target at a time.
 */
import { InvalidOptionError } from './errors.ts'
import type { Prng } from '../random/index.ts'

/** k-th largest |x| (1-based) by iterative quickselect on a copy. */
export function kthLargestAbs (data: Float32Array, k: number): number {
  const n = data.length
  if (k <= 0) return Infinity
  if (k > n) return 0
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) a[i] = Math.abs(data[i] as number)
  // Find the element that would sit at index n-k in ascending order.
  const target = n - k
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    // median of three pivot
    const x = a[lo] as number; const y = a[mid] as number; const z = a[hi] as number
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y)
    let i = lo
    let j = hi
    while (i <= j) {
      while ((a[i] as number) < pivot) i++
      while ((a[j] as number) > pivot) j--
      if (i <= j) { const t = a[i] as number; a[i] = a[j] as number; a[j] = t; i++; j-- }
    }
    if (target <= j) hi = j
    else if (target >= i) lo = i
    else return a[target] as number
  }
  return a[target] as number
}

/**
 * TIES-merging of task updates τ_i (already weighted): keep each τ_i's top `density` fraction
 * by magnitude, elect each coordinate's sign by the summed trimmed mass, average the entries
 * that agree with it, times `lambda`.
 */
export function tiesMerge (taus: Float32Array[], density: number, lambda = 1): Float32Array {
  if (!(density > 0 && density <= 1)) throw new InvalidOptionError('density', density, 'must be in (0, 1]')
  const n = taus[0]?.length ?? 0
  const thresholds = taus.map((t) => kthLargestAbs(t, Math.max(1, Math.ceil(density * n))))
  const out = new Float32Array(n)
  for (let j = 0; j < n; j++) {
    let mass = 0
    for (let i = 0; i < taus.length; i++) {
      const v = (taus[i] as Float32Array)[j] as number
      if (Math.abs(v) >= (thresholds[i] as number) && v !== 0) mass += v
    }
    if (mass === 0) continue
    let sum = 0
    let count = 0
    for (let i = 0; i < taus.length; i++) {
      const v = (taus[i] as Float32Array)[j] as number
      if (v !== 0 && Math.abs(v) >= (thresholds[i] as number) && (v > 0) === (mass > 0)) { sum += v; count++ }
    }
    out[j] = count === 0 ? 0 : (lambda * sum) / count
  }
  return out
}

/** DARE: drop each entry with probability p, rescale the rest by 1/(1−p), then Σ weights·τ̂_i. */
export function dareMerge (taus: Float32Array[], weights: number[], dropRate: number, rng: Prng): Float32Array {
  if (!(dropRate >= 0 && dropRate < 1)) throw new InvalidOptionError('dropRate', dropRate, 'must be in [0, 1)')
  const n = taus[0]?.length ?? 0
  const out = new Float32Array(n)
  const keep = 1 / (1 - dropRate)
  for (let i = 0; i < taus.length; i++) {
    const t = taus[i] as Float32Array
    const w = (weights[i] as number) * keep
    for (let j = 0; j < n; j++) {
      if (rng.next() < dropRate) continue
      out[j] = (out[j] as number) + w * (t[j] as number)
    }
  }
  return out
}
