/**
 * Norms of a LoRA update ΔW = s·B·A computed from the factors, never forming ΔW:
 * with G = BᵀB and H = A·Aᵀ (both r×r), ‖ΔW‖²_F = s²·tr(G·H) and ‖ΔW‖²_2 = s²·λ_max(G·H)
 * (G·H is similar to the PSD matrix H^½·G·H^½, so its eigenvalues are the squared singular values).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'
import type { LoraTarget } from '../adapters/index.ts'

export interface TargetNorms {
  /** Module name in the adapter's frame. */
  name: string
  /** Target kind shared across layers, e.g. `attn_q`. */
  kind: string
  nIn: number
  nOut: number
  rank: number
  frobenius: number
  spectral: number
  finite: boolean
}

const HF_ALIASES: Record<string, string> = {
  q_proj: 'attn_q',
  k_proj: 'attn_k',
  v_proj: 'attn_v',
  o_proj: 'attn_output',
  gate_proj: 'ffn_gate',
  up_proj: 'ffn_up',
  down_proj: 'ffn_down',
  c_attn: 'attn_qkv',
  c_proj: 'attn_output',
  c_fc: 'ffn_up'
}

/** Maps `blk.3.attn_q.weight`, `model.layers.3.self_attn.q_proj` or `q_proj` to `attn_q`. */
export function targetKind (name: string): string {
  const gguf = /(?:^|\.)blk\.\d+\.([a-z0-9_]+)(?:\.weight)?$/.exec(name)
  if (gguf != null) return gguf[1] as string
  const last = name.replace(/\.weight$/, '').split('.').pop() ?? name
  return HF_ALIASES[last] ?? last
}

function gram (data: Float32Array, rows: number, cols: number, byColumns: boolean): Float64Array {
  // byColumns: XᵀX (cols×cols) for B (rows = out, cols = r); else X·Xᵀ (rows×rows) for A (rows = r)
  const n = byColumns ? cols : rows
  const g = new Float64Array(n * n)
  if (byColumns) {
    for (let k = 0; k < rows; k++) {
      const off = k * cols
      for (let i = 0; i < cols; i++) {
        const x = data[off + i] as number
        if (x === 0) continue
        for (let j = i; j < cols; j++) g[i * n + j]! += x * (data[off + j] as number)
      }
    }
  } else {
    for (let i = 0; i < rows; i++) {
      for (let j = i; j < rows; j++) {
        let s = 0
        const oi = i * cols
        const oj = j * cols
        for (let k = 0; k < cols; k++) s += (data[oi + k] as number) * (data[oj + k] as number)
        g[i * n + j] = s
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i] as number
  return g
}

function multiply (x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const v = x[i * n + k] as number
      if (v === 0) continue
      for (let j = 0; j < n; j++) out[i * n + j]! += v * (y[k * n + j] as number)
    }
  }
  return out
}

/**
 * Largest eigenvalue of G·H, whose spectrum is real and non-negative. An r×r eigen-solve
 * (r is the LoRA rank): power iteration stalls when the top two singular values are close.
 */
function largestEigenvalue (m: Float64Array, n: number): number {
  if (!m.every(Number.isFinite)) return Number.NaN
  const rows = Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * n, (i + 1) * n)))
  const eig = new EigenvalueDecomposition(new Matrix(rows))
  return Math.max(0, ...eig.realEigenvalues)
}

export function targetNorms (t: LoraTarget): TargetNorms {
  const r = t.rank
  const g = gram(t.b.data, t.b.rows, t.b.cols, true)
  const h = gram(t.a.data, t.a.rows, t.a.cols, false)
  const gh = multiply(g, h, r)
  let trace = 0
  for (let i = 0; i < r; i++) trace += gh[i * r + i] as number
  const s = Math.abs(t.scale)
  const frobenius = s * Math.sqrt(Math.max(0, trace))
  const spectral = s * Math.sqrt(Math.max(0, largestEigenvalue(gh, r)))
  return {
    name: t.name,
    kind: targetKind(t.name),
    nIn: t.a.cols,
    nOut: t.b.rows,
    rank: r,
    frobenius,
    spectral: Math.min(spectral, frobenius),
    finite: Number.isFinite(frobenius) && Number.isFinite(spectral)
  }
}
