/**
 * An expert's item vectors as inverted postings, laid out for few cache misses: scoring a
 * question walks the expert's dimensions in order against a bitmap of the question's, and reads
 * each matching dimension's postings from one place.
 */
import type { PackedVector } from '../embedding/index.ts'

/**
 * Item vectors in compressed sparse column form. `dir` holds (dimension, first posting) pairs
 * for the dimensions any item uses, ascending, then a closing pair (0xffffffff, posting count).
 * Posting k is `(item[2k], value[2k + 1])`: one buffer seen as u32 and as f32.
 */
export interface Postings {
  dir: Uint32Array
  item: Uint32Array
  value: Float32Array
}

export function buildPostings (items: PackedVector[]): Postings {
  const counts = new Map<number, number>()
  const each = (p: PackedVector, fn: (dim: number, value: number) => void): void => {
    if (p.idx == null) {
      for (let d = 0; d < p.val.length; d++) if (p.val[d] !== 0) fn(d, p.val[d]!)
    } else {
      for (let j = 0; j < p.idx.length; j++) fn(p.idx[j]!, p.val[j]!)
    }
  }
  for (const p of items) each(p, d => { counts.set(d, (counts.get(d) ?? 0) + 1) })
  const dims = Uint32Array.from(counts.keys()).sort()
  const position = new Map<number, number>()
  const dir = new Uint32Array(2 * dims.length + 2)
  let total = 0
  dims.forEach((d, j) => {
    position.set(d, j)
    dir[2 * j] = d
    dir[2 * j + 1] = total
    total += counts.get(d)!
  })
  dir[2 * dims.length] = 0xffffffff
  dir[2 * dims.length + 1] = total
  const fill = dims.map((_, j) => dir[2 * j + 1]!)
  const buffer = new ArrayBuffer(total * 8)
  const item = new Uint32Array(buffer)
  const value = new Float32Array(buffer)
  items.forEach((p, i) => each(p, (d, v) => {
    const at = 2 * fill[position.get(d)!]!++
    item[at] = i
    value[at + 1] = v
  }))
  return { dir, item, value }
}

let marks = new Int32Array(0)
let where = new Int32Array(0)

/**
 * Adds `query · item` for every item into `acc[item]` (which the caller zeroed). Dimensions are
 * visited in ascending order whatever the question's form, so every sum is the same to the last
 * bit as a merge of the two sorted lists.
 */
export function accumulate (p: Postings, query: PackedVector, acc: Float32Array): void {
  const { dir, item, value } = p
  const qi = query.idx
  const qv = query.val
  const end = dir.length - 2
  if (qi == null) {
    for (let j = 0; j < end; j += 2) {
      const q = qv[dir[j]!]!
      if (q === 0) continue
      for (let at = 2 * dir[j + 1]!, stop = 2 * dir[j + 3]!; at < stop; at += 2) acc[item[at]!] = acc[item[at]!]! + q * value[at + 1]!
    }
    return
  }
  // the question's dimensions as a bitmap small enough to stay in the fastest cache
  const words = (query.dims + 31) >>> 5
  if (marks.length < words) { marks = new Int32Array(words); where = new Int32Array(words * 32) }
  for (let a = 0; a < qi.length; a++) { const d = qi[a]!; marks[d >>> 5] = marks[d >>> 5]! | (1 << (d & 31)); where[d] = a }
  for (let j = 0; j < end; j += 2) {
    const d = dir[j]!
    if ((marks[d >>> 5]! & (1 << (d & 31))) === 0) continue
    const q = qv[where[d]!]!
    for (let at = 2 * dir[j + 1]!, stop = 2 * dir[j + 3]!; at < stop; at += 2) acc[item[at]!] = acc[item[at]!]! + q * value[at + 1]!
  }
  for (let a = 0; a < qi.length; a++) marks[qi[a]! >>> 5] = 0
}
