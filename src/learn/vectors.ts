/**
 * Embedding vectors as the learning component keeps them: sparse (sorted indices + values) when
 * at most a quarter of the coordinates are non-zero — the built-in hashed embedder gives ~150
 * non-zeros out of 65,536 — else dense; the norm is computed once. Cosine between any two
 * costs O(non-zeros), and the cache stores the compact form.
 */

export interface Vec {
  dims: number
  /** Sorted indices of non-zero coordinates; null for a dense vector. */
  idx: Uint32Array | null
  /** Non-zero values (sparse) or every coordinate (dense). */
  val: Float32Array
  norm: number
}

function normOf (val: Float32Array): number {
  let s = 0
  for (let i = 0; i < val.length; i++) s += val[i]! * val[i]!
  return Math.sqrt(s)
}

export function toVec (dense: Float32Array): Vec {
  let nnz = 0
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nnz++
  if (nnz * 4 > dense.length) return { dims: dense.length, idx: null, val: Float32Array.from(dense), norm: normOf(dense) }
  const idx = new Uint32Array(nnz)
  const val = new Float32Array(nnz)
  for (let i = 0, j = 0; i < dense.length; i++) {
    if (dense[i] !== 0) { idx[j] = i; val[j] = dense[i]!; j++ }
  }
  return { dims: dense.length, idx, val, norm: normOf(val) }
}

export function toDense (v: Vec): Float32Array {
  if (v.idx == null) return v.val
  const out = new Float32Array(v.dims)
  for (let j = 0; j < v.idx.length; j++) out[v.idx[j]!] = v.val[j]!
  return out
}

function dot (a: Vec, b: Vec): number {
  let s = 0
  if (a.idx == null && b.idx == null) {
    const n = Math.min(a.val.length, b.val.length)
    for (let i = 0; i < n; i++) s += a.val[i]! * b.val[i]!
  } else if (a.idx != null && b.idx != null) {
    let i = 0
    let j = 0
    while (i < a.idx.length && j < b.idx.length) {
      const x = a.idx[i]!
      const y = b.idx[j]!
      if (x === y) { s += a.val[i++]! * b.val[j++]! } else if (x < y) i++
      else j++
    }
  } else {
    const sp = a.idx != null ? a : b
    const de = a.idx != null ? b : a
    for (let j = 0; j < sp.idx!.length; j++) {
      const k = sp.idx![j]!
      if (k < de.val.length) s += sp.val[j]! * de.val[k]!
    }
  }
  return s
}

/** Cosine similarity (0 when either vector is zero). */
export function vecCosine (a: Vec, b: Vec): number {
  return a.norm === 0 || b.norm === 0 ? 0 : dot(a, b) / (a.norm * b.norm)
}

/** Binary form for the cache: tag 0 = dense f32, 1 = sparse (u32 dims, u32 n, n × u32 idx, n × f32 val). */
export function encodeVec (v: Vec): Uint8Array {
  if (v.idx == null) {
    const out = new Uint8Array(4 + v.val.byteLength)
    new DataView(out.buffer).setUint32(0, 0, true)
    out.set(new Uint8Array(v.val.buffer, v.val.byteOffset, v.val.byteLength), 4)
    return out
  }
  const n = v.idx.length
  const out = new Uint8Array(12 + 8 * n)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, 1, true)
  dv.setUint32(4, v.dims, true)
  dv.setUint32(8, n, true)
  out.set(new Uint8Array(v.idx.buffer, v.idx.byteOffset, v.idx.byteLength), 12)
  out.set(new Uint8Array(v.val.buffer, v.val.byteOffset, v.val.byteLength), 12 + 4 * n)
  return out
}

export function decodeVec (bytes: Uint8Array): Vec {
  const copy = new Uint8Array(bytes)
  const dv = new DataView(copy.buffer)
  if (dv.getUint32(0, true) === 0) {
    const val = new Float32Array(copy.buffer, 4, (copy.length - 4) / 4)
    return { dims: val.length, idx: null, val, norm: normOf(val) }
  }
  const dims = dv.getUint32(4, true)
  const n = dv.getUint32(8, true)
  const idx = new Uint32Array(copy.buffer, 12, n)
  const val = new Float32Array(copy.buffer, 12 + 4 * n, n)
  return { dims, idx, val, norm: normOf(val) }
}
