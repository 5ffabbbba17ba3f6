/**
 * Randomized truncated SVD of a dense ΔW (Halko, Martinsson & Tropp): Gaussian sketch with
 * oversampling, power iterations with re-orthonormalisation, then the exact factored SVD of
 * Q·(QᵀM).
 */
import { denseTimes, denseTransposeTimes, thinQr, transpose64, zeros64 } from './matrix.ts'
import { truncateFactored } from './factored.ts'
import type { TruncatedFactored } from './factored.ts'
import { createPrng } from '../random/index.ts'
import type { Mat } from './types.ts'

export interface RandomizedSvdOptions {
  oversample?: number
  powerIterations?: number
  seed?: number
}

export function randomizedSvd (m: Mat, k: number, options: RandomizedSvdOptions = {}): TruncatedFactored {
  const p = options.oversample ?? 10
  const iters = options.powerIterations ?? 2
  const l = Math.min(k + p, m.rows, m.cols)
  const rng = createPrng(options.seed ?? 0x5eed)
  const omega = zeros64(m.cols, l)
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = rng.gaussian()
  let q = thinQr(denseTimes(m, omega)).q
  for (let it = 0; it < iters; it++) {
    const z = thinQr(denseTransposeTimes(m, q)).q
    q = thinQr(denseTimes(m, z)).q
  }
  const bt = denseTransposeTimes(m, q)
  const result = truncateFactored({ b: q, a: transpose64(bt) }, k)
  let total = 0
  for (let i = 0; i < m.data.length; i++) total += (m.data[i] as number) ** 2
  let kept = 0
  for (let c = 0; c < Math.min(k, result.singularValues.length); c++) kept += (result.singularValues[c] as number) ** 2
  return { ...result, energyKept: total === 0 ? 1 : Math.min(1, kept / total) }
}
