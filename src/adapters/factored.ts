/**
 * Exact operations on updates kept in factored form ΔW = B·A (B out×R, A R×in, float64),
 * without ever forming the out×in matrix: inner products, norms, and truncated SVD via
 * QR of B and Aᵀ plus an SVD of the small R×R core.
 */
import { matmul64, matmulNT64, matmulTN64, smallSvd, thinQr, trace, transpose64, zeros64, to64 } from './matrix.ts'
import type { LoraTarget, Mat64 } from './types.ts'

export interface Factored {
  b: Mat64
  a: Mat64
}

/** weight · scale · B·A of one target. */
export function targetFactored (t: LoraTarget, weight = 1): Factored {
  return { b: to64(t.b, t.scale * weight), a: to64(t.a) }
}

/** Σ of several factored updates: concatenate B columns and A rows. */
export function stackFactored (list: Factored[]): Factored {
  const first = list[0]
  if (first == null) throw new RangeError('stackFactored needs at least one term')
  const out = first.b.rows
  const nIn = first.a.cols
  const R = list.reduce((s, f) => s + f.b.cols, 0)
  const b = zeros64(out, R)
  const a = zeros64(R, nIn)
  let c0 = 0
  for (const f of list) {
    const r = f.b.cols
    for (let i = 0; i < out; i++) {
      for (let c = 0; c < r; c++) b.data[i * R + c0 + c] = f.b.data[i * r + c] as number
    }
    a.data.set(f.a.data, c0 * nIn)
    c0 += r
  }
  return { b, a }
}

/** ⟨X, Y⟩_F = tr(B_xᵀ B_y · A_y A_xᵀ). */
export function innerFactored (x: Factored, y: Factored): number {
  const bb = matmulTN64(x.b, y.b)
  const aa = matmulNT64(y.a, x.a)
  return trace(matmul64(bb, aa))
}

export function normFactored (x: Factored): number {
  return Math.sqrt(Math.max(0, innerFactored(x, x)))
}

/** ‖X − Y‖_F from inner products (exact up to rounding). */
export function distanceFactored (x: Factored, y: Factored): number {
  return Math.sqrt(Math.max(0, innerFactored(x, x) - 2 * innerFactored(x, y) + innerFactored(y, y)))
}

export interface TruncatedFactored extends Factored {
  /** All singular values of the update, descending. */
  singularValues: Float64Array
  /** ‖kept‖²_F / ‖ΔW‖²_F. */
  energyKept: number
}

/**
 * Exact rank-k truncated SVD of B·A, returned balanced: B' = U√S, A' = √S Vᵀ.
 * k above the update's rank pads with zero components.
 */
export function truncateFactored (f: Factored, k: number): TruncatedFactored {
  const { q: qb, r: rb } = thinQr(f.b)
  const { q: qa, r: ra } = thinQr(transpose64(f.a))
  const core = matmulNT64(rb, ra)
  const { u, s, v } = smallSvd(core)
  const keep = Math.min(k, s.length)
  const bu = matmul64(qb, u)
  const av = matmul64(qa, v)
  const b = zeros64(f.b.rows, k)
  const a = zeros64(k, f.a.cols)
  for (let c = 0; c < keep; c++) {
    const root = Math.sqrt(s[c] as number)
    for (let i = 0; i < b.rows; i++) b.data[i * k + c] = (bu.data[i * bu.cols + c] as number) * root
    for (let j = 0; j < a.cols; j++) a.data[c * a.cols + j] = (av.data[j * av.cols + c] as number) * root
  }
  let total = 0
  let kept = 0
  for (let c = 0; c < s.length; c++) {
    const e = (s[c] as number) ** 2
    total += e
    if (c < keep) kept += e
  }
  return { b, a, singularValues: s, energyKept: total === 0 ? 1 : kept / total }
}
