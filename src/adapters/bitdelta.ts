/**
 * BitDelta-style 1-bit compression of LoRA factors.
 *
 * Each rank component (a row of A, a column of B) is cut into blocks of `group` values; a block
 * is stored as its signs plus one scale. Scales start at mean|x| (the best scale for each factor
 * on its own) and are then refined by alternating least squares against ΔW itself: with Â fixed
 * the best B-scales solve, per row block g, (K_g ∘ ÂÂᵀ) β_g = p_g where K_g is the r×r sign
 * correlation of B inside the block and p_g collects Sᵦᵀ·(B·A·Âᵀ); A-scales likewise. Each step
 * is an exact minimisation, so ‖ΔW − ΔŴ‖ never grows. Nothing out×in is ever formed.
 * When a target's 1-bit full ΔW would be smaller than its 1-bit factors (rank above
 * out·in/(out+in)), the dense ΔW is stored instead.
 */
import { matmul64, matmulNT64, matmulTN64, to64, zeros64, denseDelta } from './matrix.ts'
import { innerFactored } from './factored.ts'
import type { Factored } from './factored.ts'
import type { LoraTarget, Mat, Mat64 } from './types.ts'
import { decodeScales, encodeScales } from './bitdelta-codec.ts'

export interface BitDeltaOptions {
  /** Values per scale (default 128). */
  group?: number
  /** Alternating least-squares sweeps refining the scales against ΔW (default 4; 0 = mean|x| only). */
  refineIterations?: number
  /** Also re-choose signs against ΔW during refinement (default true). */
  fitSigns?: boolean
}

export const DEFAULT_GROUP = 128
export const DEFAULT_REFINE_ITERATIONS = 4

/** One quantised factor: signs of component-major vectors, one scale per block. */
export interface SignBlocks {
  /** Number of rank components (vectors). */
  count: number
  /** Length of each vector. */
  length: number
  group: number
  /** count × length signs (±1), component-major; stored packed as bits (1 = +) by the container. */
  signs: Int8Array
  /** count × ceil(length / group) scales. */
  scales: Float32Array
}

export interface QuantisedTarget {
  name: string
  rank: number
  alpha: number
  scale: number
  out: number
  in: number
  mode: 'factors' | 'dense'
  /** factors mode: A rows (rank × in) and B columns (rank × out). dense mode: `a` holds ΔW rows (out × in), `b` is empty. */
  a: SignBlocks
  b: SignBlocks
}

function blocksPer (length: number, group: number): number {
  return Math.ceil(length / group)
}

/** vectors[c][i] accessor → sign bits + mean|x| block scales. */
function signQuantise (count: number, length: number, group: number, get: (c: number, i: number) => number): SignBlocks {
  const nb = blocksPer(length, group)
  const signs = new Int8Array(count * length)
  const scales = new Float32Array(count * nb)
  for (let c = 0; c < count; c++) {
    for (let g = 0; g < nb; g++) {
      let sum = 0
      const end = Math.min(length, (g + 1) * group)
      for (let i = g * group; i < end; i++) {
        const v = get(c, i)
        sum += Math.abs(v)
        signs[c * length + i] = v >= 0 ? 1 : -1
      }
      scales[c * nb + g] = sum / (end - g * group)
    }
  }
  return { count, length, group, signs, scales }
}

export function signAt (q: SignBlocks, c: number, i: number): number {
  return q.signs[c * q.length + i] as number
}

/** Reconstruct the vectors as a count × length float64 matrix. */
export function dequantise (q: SignBlocks): Mat64 {
  const nb = blocksPer(q.length, q.group)
  const out = zeros64(q.count, q.length)
  for (let c = 0; c < q.count; c++) {
    for (let i = 0; i < q.length; i++) {
      out.data[c * q.length + i] = signAt(q, c, i) * (q.scales[c * nb + Math.floor(i / q.group)] as number)
    }
  }
  return out
}

/** Solve a small symmetric system with a tiny ridge; falls back to the current values if singular. */
function solveSym (m: Float64Array, rhs: Float64Array, n: number, fallback: Float64Array): Float64Array {
  const a = Float64Array.from(m)
  const x = Float64Array.from(rhs)
  let tr = 0
  for (let i = 0; i < n; i++) tr += a[i * n + i] as number
  const ridge = (tr / n) * 1e-10
  for (let i = 0; i < n; i++) a[i * n + i] = (a[i * n + i] as number) + ridge
  for (let col = 0; col < n; col++) {
    let piv = col
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col] as number) > Math.abs(a[piv * n + col] as number)) piv = r
    const p = a[piv * n + col] as number
    if (Math.abs(p) < 1e-300) return fallback
    if (piv !== col) {
      for (let k = 0; k < n; k++) { const t = a[col * n + k] as number; a[col * n + k] = a[piv * n + k] as number; a[piv * n + k] = t }
      const t = x[col] as number; x[col] = x[piv] as number; x[piv] = t
    }
    for (let r = col + 1; r < n; r++) {
      const f = (a[r * n + col] as number) / p
      if (f === 0) continue
      for (let k = col; k < n; k++) a[r * n + k] = (a[r * n + k] as number) - f * (a[col * n + k] as number)
      x[r] = (x[r] as number) - f * (x[col] as number)
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r] as number
    for (let k = r + 1; k < n; k++) s -= (a[r * n + k] as number) * (x[k] as number)
    x[r] = s / (a[r * n + r] as number)
  }
  return x.every((v) => Number.isFinite(v)) ? x : fallback
}

/**
 * Re-fit the scales of `q` (vectors = rank components of the factor being solved) given the
 * other factor's reconstruction. `cross` is length × count: the target update times the other
 * reconstruction (P = B·A·Âᵀ for B, Q = Aᵀ·Bᵀ·B̂ for A); `gram` is the other reconstruction's
 * r×r Gram matrix.
 */
function refitScales (q: SignBlocks, cross: Mat64, gram: Mat64): void {
  const r = q.count
  const nb = blocksPer(q.length, q.group)
  const k = new Float64Array(r * r)
  const p = new Float64Array(r)
  const cur = new Float64Array(r)
  const col = new Int8Array(r)
  const sg = q.signs
  const len = q.length
  for (let g = 0; g < nb; g++) {
    k.fill(0)
    p.fill(0)
    const end = Math.min(q.length, (g + 1) * q.group)
    for (let i = g * q.group; i < end; i++) {
      for (let c = 0; c < r; c++) col[c] = sg[c * len + i] as number
      for (let c = 0; c < r; c++) {
        const sc = col[c] as number
        p[c] = (p[c] as number) + sc * (cross.data[i * r + c] as number)
        for (let d = c; d < r; d++) k[c * r + d] = (k[c * r + d] as number) + sc * (col[d] as number)
      }
    }
    for (let c = 0; c < r; c++) {
      cur[c] = q.scales[c * nb + g] as number
      for (let d = c; d < r; d++) {
        const v = (k[c * r + d] as number) * (gram.data[c * r + d] as number)
        k[c * r + d] = v
        k[d * r + c] = v
      }
    }
    const sol = solveSym(k, p, r, cur)
    for (let c = 0; c < r; c++) q.scales[c * nb + g] = sol[c] as number
  }
}

/**
 * Re-choose signs given the other factor: for each position i (a row of B, a column of A) the
 * r-vector v = s ∘ scales minimises vᵀ·G·v − 2·v·t with t = cross[i]; greedy sign flips, each
 * lowering that objective (flip c when v_c·(Σ_{d≠c} G_cd v_d − t_c) > 0).
 */
function refitSigns (q: SignBlocks, cross: Mat64, gram: Mat64): number {
  const r = q.count
  const nb = blocksPer(q.length, q.group)
  const v = new Float64Array(r)
  let flips = 0
  for (let i = 0; i < q.length; i++) {
    const g = Math.floor(i / q.group)
    for (let c = 0; c < r; c++) v[c] = signAt(q, c, i) * (q.scales[c * nb + g] as number)
    for (let sweep = 0; sweep < 4; sweep++) {
      let changed = false
      for (let c = 0; c < r; c++) {
        let s = -(cross.data[i * r + c] as number)
        for (let d = 0; d < r; d++) if (d !== c) s += (gram.data[c * r + d] as number) * (v[d] as number)
        if ((v[c] as number) * s > 1e-300) {
          v[c] = -(v[c] as number)
          const k = c * q.length + i
          q.signs[k] = -(q.signs[k] as number)
          changed = true
          flips++
        }
      }
      if (!changed) break
    }
  }
  return flips
}

function roundScales (q: SignBlocks): void {
  const { unit, halves } = encodeScales(q.scales)
  q.scales = decodeScales(unit, halves)
}

/** Quantise one target. */
export function quantiseTarget (t: LoraTarget, options: BitDeltaOptions = {}): QuantisedTarget {
  const group = options.group ?? DEFAULT_GROUP
  const iters = options.refineIterations ?? DEFAULT_REFINE_ITERATIONS
  const fitSigns = options.fitSigns ?? true
  const out = t.b.rows
  const nIn = t.a.cols
  const r = t.rank
  const base = { name: t.name, rank: r, alpha: t.alpha, scale: t.scale, out, in: nIn }
  if (r * (out + nIn) > out * nIn) {
    const dw = denseDelta(t.b, t.a, t.scale)
    const a = signQuantise(out, nIn, group, (c, i) => dw.data[c * nIn + i] as number)
    roundScales(a)
    return { ...base, mode: 'dense', a, b: { count: 0, length: 0, group, signs: new Int8Array(0), scales: new Float32Array(0) } }
  }
  const A = t.a
  const B = t.b
  const qa = signQuantise(r, nIn, group, (c, i) => A.data[c * nIn + i] as number)
  const qb = signQuantise(r, out, group, (c, i) => B.data[i * r + c] as number)
  const a64 = to64(A)
  const b64 = to64(B)
  for (let it = 0; it < iters; it++) {
    // B-scales with Â fixed: P = B·(A·Âᵀ) (out × r), gram = Â·Âᵀ.
    const ah = dequantise(qa)
    const p = matmul64(b64, matmulNT64(a64, ah))
    const ga = matmulNT64(ah, ah)
    if (fitSigns) refitSigns(qb, p, ga)
    refitScales(qb, p, ga)
    // A-scales with B̂ fixed: Q = Aᵀ·(Bᵀ·B̂) (in × r), gram = B̂ᵀ·B̂.
    const bh = bColumnsToMatrix(dequantise(qb))
    const qx = matmulTN64(a64, matmulTN64(b64, bh))
    const gb = matmulTN64(bh, bh)
    if (fitSigns) refitSigns(qa, qx, gb)
    refitScales(qa, qx, gb)
  }
  roundScales(qa)
  roundScales(qb)
  return { ...base, mode: 'factors', a: qa, b: qb }
}

/** Component-major B (r × out) → B (out × r). */
export function bColumnsToMatrix (cols: Mat64): Mat64 {
  const r = cols.rows
  const out = zeros64(cols.cols, r)
  for (let c = 0; c < r; c++) {
    for (let i = 0; i < cols.cols; i++) out.data[i * r + c] = cols.data[c * cols.cols + i] as number
  }
  return out
}

/** Reconstructed target (float32 factors). Dense-mode targets come back as rank-min(out,in) factors. */
export function reconstructTarget (q: QuantisedTarget): LoraTarget {
  if (q.mode === 'dense') {
    const dw = dequantise(q.a)
    const k = Math.min(q.out, q.in)
    const eye = new Float32Array(k * k)
    for (let i = 0; i < k; i++) eye[i * k + i] = 1
    const dense: Mat = { rows: q.out, cols: q.in, data: Float32Array.from(dw.data) }
    const a: Mat = q.in <= q.out ? { rows: k, cols: q.in, data: eye } : dense
    const b: Mat = q.in <= q.out ? dense : { rows: q.out, cols: k, data: eye }
    return { name: q.name, a, b, rank: k, alpha: k, scale: 1 }
  }
  const a = dequantise(q.a)
  const b = bColumnsToMatrix(dequantise(q.b))
  return {
    name: q.name,
    a: { rows: q.rank, cols: q.in, data: Float32Array.from(a.data) },
    b: { rows: q.out, cols: q.rank, data: Float32Array.from(b.data) },
    rank: q.rank,
    alpha: q.alpha,
    scale: q.scale
  }
}

/** ‖ΔW − ΔŴ‖²_F and ‖ΔW‖²_F of one target, from factors. */
export function targetErrorSquares (orig: LoraTarget, approx: LoraTarget): { err: number, norm: number } {
  const x: Factored = { b: to64(orig.b, orig.scale), a: to64(orig.a) }
  const y: Factored = { b: to64(approx.b, approx.scale), a: to64(approx.a) }
  const xx = innerFactored(x, x)
  const err = xx - 2 * innerFactored(x, y) + innerFactored(y, y)
  return { err: Math.max(0, err), norm: xx }
}
