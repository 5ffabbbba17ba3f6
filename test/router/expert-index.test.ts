/**
 * The index's scoring (inverted postings, bitmap walk, four-row prefilter) against a
 * straightforward reference written from the scoring rule: per item a merge of two sorted lists,
 * per expert a dot with its folded centroid, sorts instead of running top-k. Same candidates,
 * same order, same scores.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { pack } from '../../src/embedding/index.ts'
import type { PackedVector } from '../../src/embedding/index.ts'
import { buildExpert, centroidMatrix, DEFAULT_SCORING, scoreExperts } from '../../src/router/expert-index.ts'
import type { IndexedExpert, ScoringOptions } from '../../src/router/expert-index.ts'
import { createPrng } from '../../src/random/index.ts'

const f = Math.fround

/** Float32 dot of two vectors in either form, summed over ascending dimensions. */
function dot32 (a: PackedVector, b: PackedVector): number {
  const dense = (p: PackedVector): Map<number, number> => {
    const m = new Map<number, number>()
    p.val.forEach((v, j) => { if (v !== 0 || p.idx != null) m.set(p.idx == null ? j : p.idx[j]!, v) })
    return m
  }
  const x = dense(a)
  const y = dense(b)
  let s = 0
  for (const d of [...x.keys()].sort((p, q) => p - q)) if (y.has(d)) s = f(s + x.get(d)! * y.get(d)!)
  return s
}

interface Ref { expert: IndexedExpert, items: Array<{ exemplar: number, vector: PackedVector }> }

function reference (refs: Ref[], query: PackedVector, opts: ScoringOptions, exclude?: { expertId: string, exemplar: number }): Array<{ id: string, score: number, best: Array<[number, number]> }> {
  let pool = refs
  if (refs.length > opts.prefilterAbove) {
    // the question folded onto the centroids' length (entry i adds into i mod foldDims)
    const width = Math.min(query.dims, opts.foldDims)
    const v = new Float32Array(width)
    query.val.forEach((x, j) => { const i = (query.idx == null ? j : query.idx[j]!) % width; v[i] = v[i]! + x })
    const folded = pack(v)
    const ranked = refs.map((r, i) => ({ r, i, s: dot32(folded, pack(r.expert.centroid)) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
    pool = ranked.slice(0, opts.candidates).map(x => x.r)
    const own = refs.find(r => r.expert.id === exclude?.expertId)
    if (own != null && !pool.includes(own)) pool.push(own)
  }
  const out = pool.map(r => {
    const skip = exclude?.expertId === r.expert.id ? exclude.exemplar : -1
    const hits = r.items.map((it, i) => ({ i, exemplar: it.exemplar, cosine: dot32(query, it.vector) }))
      .filter(h => h.exemplar !== skip)
      .sort((a, b) => b.cosine - a.cosine || a.i - b.i)
      .slice(0, opts.rankWeights.length)
    const w = opts.rankWeights.slice(0, hits.length)
    const sum = w.reduce((s, x) => s + x, 0)
    let s = 0
    hits.forEach((h, j) => { s += w[j]! * h.cosine })
    return { id: r.expert.id, score: sum > 0 ? s / sum : 0, best: hits.map(h => [h.exemplar, h.cosine] as [number, number]) }
  })
  return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
}

/** A random vector over `dims` with about `nnz` non-zeros from a skewed vocabulary (shared dimensions are common). */
function randomVector (rand: () => number, dims: number, nnz: number): PackedVector {
  const v = new Float32Array(dims)
  for (let k = 0; k < nnz; k++) v[Math.floor(dims * rand() ** 3)] = rand() * 2 - 0.5
  return pack(v)
}

function randomIndex (seed: number, experts: number, dims: number, nnz: number, foldDims: number): Ref[] {
  const rand = createPrng(seed).next
  return Array.from({ length: experts }, (_, e) => {
    const exemplars = Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) => ({ q: `q${e}-${i}`, source: 'expert' as const }))
    const items = exemplars.flatMap((_, i) => Array.from({ length: 1 + Math.floor(rand() * 2) }, () => ({ exemplar: i, vector: randomVector(rand, dims, nnz) })))
    const expert = buildExpert({ id: `e${e}`, name: `n${e}`, domain: `d${e % 7}` }, exemplars, items, dims, foldDims)
    return { expert, items }
  })
}

describe('expert index scoring', () => {
  for (const shape of [
    { name: 'sparse vectors folded for the prefilter', dims: 4096, nnz: 40, foldDims: 256, runs: 40 },
    { name: 'questions with more non-zeros than the prefilter first makes room for', dims: 8192, nnz: 400, foldDims: 1024, runs: 6 },
    { name: 'dense vectors', dims: 48, nnz: 200, foldDims: 256, runs: 40 }
  ]) {
    it(`matches the reference on random indexes and questions (${shape.name})`, () => {
      fc.assert(fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 20, max: 140 }), fc.boolean(),
        (seed, experts, leaveOut) => {
          const refs = randomIndex(seed, experts, shape.dims, shape.nnz, shape.foldDims)
          const opts = { ...DEFAULT_SCORING, foldDims: shape.foldDims }
          const matrix = centroidMatrix(refs.map(r => r.expert))
          const rand = createPrng(seed + 1).next
          for (let k = 0; k < 5; k++) {
            const query = randomVector(rand, shape.dims, 4 + Math.floor(rand() * shape.nnz))
            const owner = refs[Math.floor(rand() * refs.length)]!
            const exclude = leaveOut ? { expertId: owner.expert.id, exemplar: 0 } : undefined
            const got = scoreExperts(refs.map(r => r.expert), query, opts, exclude, matrix)
              .map(r => ({ id: r.expert.id, score: r.score, best: r.best.map(h => [h.exemplar, h.cosine]) }))
            assert.deepEqual(got, reference(refs, query, opts, exclude))
          }
        }), { numRuns: shape.runs })
    })
  }
})
