/**
 * Vector helpers shared by embedders, the router and learning: hashing, normalisation, dot
 * products and the packed form every component keeps and caches. A packed vector holds only its
 * non-zero entries when that is smaller (the built-in embedder gives ~150 non-zeros out of
 * 65,536), else every coordinate; its norm is computed once, so a cosine between two costs
 * O(non-zeros).
 */

/** FNV-1a, 32 bit, over the UTF-16 code units of a string. */
export function fnv1a (text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  // final avalanche so that low bits (used for the bucket) depend on every character
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  return h >>> 0
}

export function l2norm (v: Float32Array): number {
  let s = 0
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!
  return Math.sqrt(s)
}

/** Scales in place to unit length; a zero vector stays zero. */
export function normalize (v: Float32Array): Float32Array {
  const n = l2norm(v)
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n
  return v
}

export function dot (a: Float32Array, b: Float32Array): number {
  let s = 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!
  return s
}

/** Cosine similarity (embeddings need not be normalised); 0 when either is zero. */
export function cosine (a: Float32Array, b: Float32Array): number {
  let dot = 0
  let na = 0
  let nb = 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    dot += a[i]! * b[i]!
    na += a[i]! * a[i]!
    nb += b[i]! * b[i]!
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb)
}

/** A vector stored as its non-zero entries when that is smaller, else dense. */
export interface PackedVector {
  dims: number
  /** Sorted indices of non-zero entries (sparse form), or null (dense form). */
  idx: Uint32Array | null
  /** Non-zero values (sparse) or every coordinate (dense). */
  val: Float32Array
  /** Euclidean length, computed once. */
  norm: number
}

export function pack (v: Float32Array): PackedVector {
  let nnz = 0
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) nnz++
  if (nnz * 2 >= v.length) {
    const val = Float32Array.from(v)
    return { dims: v.length, idx: null, val, norm: l2norm(val) }
  }
  const idx = new Uint32Array(nnz)
  const val = new Float32Array(nnz)
  let j = 0
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) { idx[j] = i; val[j] = v[i]!; j++ }
  }
  return { dims: v.length, idx, val, norm: l2norm(val) }
}

export function unpack (p: PackedVector): Float32Array {
  if (p.idx == null) return Float32Array.from(p.val)
  const v = new Float32Array(p.dims)
  for (let j = 0; j < p.idx.length; j++) v[p.idx[j]!] = p.val[j]!
  return v
}

/** Dot product of a dense vector with a packed one. */
export function dotPacked (dense: Float32Array, p: PackedVector): number {
  let s = 0
  const val = p.val
  const idx = p.idx
  if (idx == null) {
    for (let i = 0; i < val.length; i++) s += dense[i]! * val[i]!
  } else {
    for (let j = 0; j < idx.length; j++) s += dense[idx[j]!]! * val[j]!
  }
  return s
}

/** Dot product of two packed vectors, in either form. */
function dotBoth (a: PackedVector, b: PackedVector): number {
  if (a.idx == null) return dotPacked(a.val, b)
  if (b.idx == null) return dotPacked(b.val, a)
  let s = 0
  let i = 0
  let j = 0
  while (i < a.idx.length && j < b.idx.length) {
    const x = a.idx[i]!
    const y = b.idx[j]!
    if (x === y) s += a.val[i++]! * b.val[j++]!
    else if (x < y) i++
    else j++
  }
  return s
}

/** Cosine similarity of two packed vectors (0 when either is zero). */
export function cosinePacked (a: PackedVector, b: PackedVector): number {
  return a.norm === 0 || b.norm === 0 ? 0 : dotBoth(a, b) / (a.norm * b.norm)
}

/** Serialises a packed vector: u32 dims, u32 nnz (0xffffffff = dense), [u32 idx…], f32 values. */
export function encodePacked (p: PackedVector): Uint8Array {
  const nnz = p.idx?.length ?? -1
  const n = p.val.length
  const buf = new ArrayBuffer(8 + (nnz >= 0 ? nnz * 4 : 0) + n * 4)
  const view = new DataView(buf)
  view.setUint32(0, p.dims, true)
  view.setUint32(4, nnz >= 0 ? nnz : 0xffffffff, true)
  let o = 8
  if (p.idx != null) for (const i of p.idx) { view.setUint32(o, i, true); o += 4 }
  for (const x of p.val) { view.setFloat32(o, x, true); o += 4 }
  return new Uint8Array(buf)
}

export function decodePacked (bytes: Uint8Array): PackedVector | null {
  if (bytes.byteLength < 8) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const dims = view.getUint32(0, true)
  const nnzRaw = view.getUint32(4, true)
  const dense = nnzRaw === 0xffffffff
  const n = dense ? dims : nnzRaw
  if (bytes.byteLength !== 8 + (dense ? 0 : n * 4) + n * 4) return null
  let o = 8
  let idx: Uint32Array | null = null
  if (!dense) {
    idx = new Uint32Array(n)
    for (let j = 0; j < n; j++) { idx[j] = view.getUint32(o, true); o += 4 }
  }
  const val = new Float32Array(n)
  for (let j = 0; j < n; j++) { val[j] = view.getFloat32(o, true); o += 4 }
  return { dims, idx, val, norm: l2norm(val) }
}
