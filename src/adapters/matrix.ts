/**
 * Small dense linear algebra on row-major float64 matrices: products, thin QR, small SVD.
 * Everything large (ΔW) is float32; factors and cores are float64.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix'
import type { Mat, Mat64 } from './types.ts'

export function zeros64 (rows: number, cols: number): Mat64 {
  return { rows, cols, data: new Float64Array(rows * cols) }
}

export function to64 (m: Mat, scale = 1): Mat64 {
  const d = new Float64Array(m.data.length)
  for (let i = 0; i < d.length; i++) d[i] = (m.data[i] as number) * scale
  return { rows: m.rows, cols: m.cols, data: d }
}

export function to32 (m: Mat64): Mat {
  return { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) }
}

export function transpose64 (m: Mat64): Mat64 {
  const out = zeros64(m.cols, m.rows)
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j] as number
  }
  return out
}

/** C = X · Y. */
export function matmul64 (x: Mat64, y: Mat64): Mat64 {
  const out = zeros64(x.rows, y.cols)
  const n = y.cols
  for (let i = 0; i < x.rows; i++) {
    const orow = i * n
    for (let k = 0; k < x.cols; k++) {
      const s = x.data[i * x.cols + k] as number
      if (s === 0) continue
      const yrow = k * n
      for (let j = 0; j < n; j++) out.data[orow + j] = (out.data[orow + j] as number) + s * (y.data[yrow + j] as number)
    }
  }
  return out
}

/** C = Xᵀ · Y (X is n×p, Y is n×q → p×q). */
export function matmulTN64 (x: Mat64, y: Mat64): Mat64 {
  const out = zeros64(x.cols, y.cols)
  const p = x.cols
  const q = y.cols
  for (let r = 0; r < x.rows; r++) {
    for (let i = 0; i < p; i++) {
      const s = x.data[r * p + i] as number
      if (s === 0) continue
      for (let j = 0; j < q; j++) out.data[i * q + j] = (out.data[i * q + j] as number) + s * (y.data[r * q + j] as number)
    }
  }
  return out
}

/** C = X · Yᵀ (X is p×n, Y is q×n → p×q). */
export function matmulNT64 (x: Mat64, y: Mat64): Mat64 {
  const out = zeros64(x.rows, y.rows)
  const n = x.cols
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < y.rows; j++) {
      let s = 0
      for (let k = 0; k < n; k++) s += (x.data[i * n + k] as number) * (y.data[j * n + k] as number)
      out.data[i * y.rows + j] = s
    }
  }
  return out
}

export function trace (m: Mat64): number {
  let s = 0
  for (let i = 0; i < Math.min(m.rows, m.cols); i++) s += m.data[i * m.cols + i] as number
  return s
}

/** tr(Xᵀ·Y) = Σ X∘Y for equal-shape X, Y (Frobenius inner product). */
export function frobDot (x: Float64Array | Float32Array, y: Float64Array | Float32Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += (x[i] as number) * (y[i] as number)
  return s
}

/**
 * Thin QR of a tall n×k matrix by modified Gram-Schmidt with one re-orthogonalisation pass.
 * Columns that are (numerically) dependent get a zero column in Q and a zero on R's diagonal.
 */
export function thinQr (x: Mat64): { q: Mat64, r: Mat64 } {
  const n = x.rows
  const k = x.cols
  const cols: Float64Array[] = []
  for (let j = 0; j < k; j++) {
    const c = new Float64Array(n)
    for (let i = 0; i < n; i++) c[i] = x.data[i * k + j] as number
    cols.push(c)
  }
  const r = zeros64(k, k)
  let maxNorm = 0
  for (const c of cols) maxNorm = Math.max(maxNorm, Math.sqrt(frobDot(c, c)))
  const tol = maxNorm * 1e-12
  for (let j = 0; j < k; j++) {
    const v = cols[j] as Float64Array
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const qi = cols[i] as Float64Array
        const d = frobDot(qi, v)
        if (d === 0) continue
        r.data[i * k + j] = (r.data[i * k + j] as number) + d
        for (let t = 0; t < n; t++) v[t] = (v[t] as number) - d * (qi[t] as number)
      }
    }
    const norm = Math.sqrt(frobDot(v, v))
    if (norm <= tol) {
      v.fill(0)
      r.data[j * k + j] = 0
    } else {
      for (let t = 0; t < n; t++) v[t] = (v[t] as number) / norm
      r.data[j * k + j] = norm
    }
  }
  const q = zeros64(n, k)
  for (let j = 0; j < k; j++) {
    const c = cols[j] as Float64Array
    for (let i = 0; i < n; i++) q.data[i * k + j] = c[i] as number
  }
  return { q, r }
}

/** Full SVD of a small matrix (ml-matrix): X = U·diag(s)·Vᵀ, s descending. */
export function smallSvd (x: Mat64): { u: Mat64, s: Float64Array, v: Mat64 } {
  const m = Matrix.from1DArray(x.rows, x.cols, Array.from(x.data))
  const svd = new SingularValueDecomposition(m, { autoTranspose: true })
  const u = svd.leftSingularVectors
  const v = svd.rightSingularVectors
  const s = Float64Array.from(svd.diagonal)
  return {
    u: { rows: u.rows, cols: u.columns, data: Float64Array.from(u.to1DArray()) },
    s,
    v: { rows: v.rows, cols: v.columns, data: Float64Array.from(v.to1DArray()) }
  }
}

/** Singular values only, for principal angles. */
export function singularValues (x: Mat64): Float64Array {
  const m = Matrix.from1DArray(x.rows, x.cols, Array.from(x.data))
  const svd = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true })
  return Float64Array.from(svd.diagonal)
}

/** Keep the first k columns. */
export function leadingCols (m: Mat64, k: number): Mat64 {
  const out = zeros64(m.rows, k)
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < k; j++) out.data[i * k + j] = j < m.cols ? (m.data[i * m.cols + j] as number) : 0
  }
  return out
}

/** Dense ΔW = scale·B·A as float32 (out × in). */
export function denseDelta (b: Mat | Mat64, a: Mat | Mat64, scale = 1): Mat {
  const out = new Float32Array(b.rows * a.cols)
  const n = a.cols
  const r = b.cols
  const row = new Float64Array(n)
  for (let i = 0; i < b.rows; i++) {
    row.fill(0)
    for (let c = 0; c < r; c++) {
      const s = (b.data[i * r + c] as number) * scale
      if (s === 0) continue
      const off = c * n
      for (let j = 0; j < n; j++) row[j] = (row[j] as number) + s * (a.data[off + j] as number)
    }
    for (let j = 0; j < n; j++) out[i * n + j] = row[j] as number
  }
  return { rows: b.rows, cols: n, data: out }
}

/** Y = M · X for dense float32 M (m×n) and float64 X (n×k): dot products over contiguous rows. */
export function denseTimes (m: Mat, x: Mat64): Mat64 {
  const k = x.cols
  const n = m.cols
  const xt = transpose64(x).data
  const out = zeros64(m.rows, k)
  const md = m.data
  for (let i = 0; i < m.rows; i++) {
    const off = i * n
    for (let c = 0; c < k; c++) {
      const xo = c * n
      let s0 = 0; let s1 = 0
      let j = 0
      for (; j + 1 < n; j += 2) {
        s0 += (md[off + j] as number) * (xt[xo + j] as number)
        s1 += (md[off + j + 1] as number) * (xt[xo + j + 1] as number)
      }
      if (j < n) s0 += (md[off + j] as number) * (xt[xo + j] as number)
      out.data[i * k + c] = s0 + s1
    }
  }
  return out
}

/** Y = Mᵀ · X for dense float32 M (m×n) and float64 X (m×k) → n×k, by row axpys. */
export function denseTransposeTimes (m: Mat, x: Mat64): Mat64 {
  const k = x.cols
  const n = m.cols
  const outT = new Float64Array(k * n)
  const md = m.data
  for (let i = 0; i < m.rows; i++) {
    const off = i * n
    for (let c = 0; c < k; c++) {
      const v = x.data[i * k + c] as number
      if (v === 0) continue
      const oo = c * n
      for (let j = 0; j < n; j++) outT[oo + j] = (outT[oo + j] as number) + v * (md[off + j] as number)
    }
  }
  return transpose64({ rows: k, cols: n, data: outT })
}
