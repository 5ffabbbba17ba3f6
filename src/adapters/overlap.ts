/**
 * Subspace overlap between LoRA updates: principal angles between the column spaces of the B's
 * (output directions) and the row spaces of the A's (input directions), the ΔW cosine from
 * factors, and a random-subspace null to judge them against.
 */
import { matmulTN64, singularValues, thinQr, transpose64, zeros64 } from './matrix.ts'
import { innerFactored } from './factored.ts'
import type { Factored } from './factored.ts'
import { createPrng } from '../random/index.ts'
import type { Mat64 } from './types.ts'

/** Cosines of the principal angles between span(X) and span(Y) (both n×k, columns span). */
export function principalCosines (x: Mat64, y: Mat64): Float64Array {
  const qx = thinQr(x).q
  const qy = thinQr(y).q
  const s = singularValues(matmulTN64(qx, qy))
  return s.map((v) => Math.min(1, Math.max(0, v)))
}

export function mean (xs: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < xs.length; i++) s += xs[i] as number
  return xs.length === 0 ? 0 : s / xs.length
}

const nullCache = new Map<string, { mean: number, sd: number }>()

/**
 * Mean principal cosine between random Gaussian subspaces of dimensions rx and ry in ℝⁿ
 * (Monte Carlo, seeded): the overlap two unrelated random updates would show.
 */
export function randomSubspaceNull (n: number, rx: number, ry: number, trials = 12): { mean: number, sd: number } {
  const key = `${n}:${Math.min(rx, ry)}:${Math.max(rx, ry)}:${trials}`
  const hit = nullCache.get(key)
  if (hit != null) return hit
  const rng = createPrng(n * 7919 + rx * 31 + ry)
  const vals: number[] = []
  for (let t = 0; t < trials; t++) {
    const x = zeros64(n, rx)
    const y = zeros64(n, ry)
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.gaussian()
    for (let i = 0; i < y.data.length; i++) y.data[i] = rng.gaussian()
    vals.push(mean(principalCosines(x, y)))
  }
  const m = mean(vals)
  const sd = Math.sqrt(mean(vals.map((v) => (v - m) ** 2)))
  const res = { mean: m, sd }
  nullCache.set(key, res)
  return res
}

export interface OverlapFigures {
  /** Mean cosine of principal angles between B column spaces. */
  bOverlap: number
  /** Mean cosine of principal angles between A row spaces. */
  aOverlap: number
  bNull: number
  aNull: number
  /** ⟨ΔW_x, ΔW_y⟩ / (‖ΔW_x‖‖ΔW_y‖). */
  deltaCos: number
  /** Raw inner product and squared norms, for aggregating cosines over targets. */
  dot: number
  nx: number
  ny: number
}

/** Overlap figures of two factored updates of the same target. */
export function overlapOf (x: Factored, y: Factored): OverlapFigures {
  const bOverlap = mean(principalCosines(x.b, y.b))
  const aOverlap = mean(principalCosines(transpose64(x.a), transpose64(y.a)))
  const dot = innerFactored(x, y)
  const nx = innerFactored(x, x)
  const ny = innerFactored(y, y)
  return {
    bOverlap,
    aOverlap,
    bNull: randomSubspaceNull(x.b.rows, x.b.cols, y.b.cols).mean,
    aNull: randomSubspaceNull(x.a.cols, x.a.rows, y.a.rows).mean,
    deltaCos: nx > 0 && ny > 0 ? dot / Math.sqrt(nx * ny) : 0,
    dot,
    nx,
    ny
  }
}
