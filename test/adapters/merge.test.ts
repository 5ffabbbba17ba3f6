import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import fc from 'fast-check'
import { Matrix, SingularValueDecomposition } from 'ml-matrix'
import { createPrng, denseDelta, loadAdapterFile, mergeAdapters, randomizedSvd, readPeftDir, truncateFactored, writeGgufLora, writePeftDir, convertToGguf, readGgufLora } from '../../src/adapters/index.ts'
import { dareMerge, kthLargestAbs, tiesMerge } from '../../src/adapters/merge-dense.ts'
import type { LoraTarget } from '../../src/adapters/index.ts'
import { to64 } from '../../src/adapters/matrix.ts'
import { maxAbsDiff, memoryAdapter, randomTarget, sharedAdapter, tempDir } from './helpers.ts'

const t1 = (name: string, b: number[], a: number[], scale = 1): LoraTarget => ({
  name, a: { rows: 1, cols: a.length, data: Float32Array.from(a) }, b: { rows: b.length, cols: 1, data: Float32Array.from(b) }, rank: 1, alpha: scale, scale
})

test('linear merge is exact in ΔW space: ½(e1e1ᵀ + e2e2ᵀ) = ½I', () => {
  const x = memoryAdapter([t1('m', [1, 0], [1, 0])])
  const y = memoryAdapter([t1('m', [0, 1], [0, 1])])
  const r = mergeAdapters([x, y], { method: 'linear', rank: 2 })
  const m = r.adapter.targets[0]!
  assert.ok(maxAbsDiff(denseDelta(m.b, m.a, m.scale).data, [0.5, 0, 0, 0.5]) < 1e-7)
  assert.equal(r.targets[0]!.energyKept, 1)
  // cos(½I, e1e1ᵀ) = 1/√2; ‖½I − e1e1ᵀ‖ / 1 = 1/√2
  assert.ok(Math.abs(r.retention[0]!.cos - Math.SQRT1_2) < 1e-9)
  assert.ok(Math.abs(r.retention[0]!.relError - Math.SQRT1_2) < 1e-9)
  // rank 1 keeps half the energy
  assert.ok(Math.abs(mergeAdapters([x, y], { method: 'linear', rank: 1 }).targets[0]!.energyKept - 0.5) < 1e-9)
})

test('naive factor-wise merge adds the cross-terms B1·A2 + B2·A1', () => {
  const x = memoryAdapter([t1('m', [1, 0], [1, 0])])
  const y = memoryAdapter([t1('m', [0, 1], [0, 1])])
  const r = mergeAdapters([x, y], { method: 'naive', weights: [1, 1] })
  const m = r.adapter.targets[0]!
  assert.deepEqual([...denseDelta(m.b, m.a, m.scale).data], [1, 1, 1, 1])
  // cross = [[0,1],[1,0]]: ‖cross‖ / ‖naive‖ = √2 / 2
  assert.ok(Math.abs((r.crossTermShare ?? 0) - Math.SQRT1_2) < 1e-9)
  // PEFT's scale handling: A carries √w·s, B carries √w
  const s = mergeAdapters([memoryAdapter([t1('m', [2], [3], 4)])], { method: 'naive', weights: [0.25] })
  const ms = s.adapter.targets[0]!
  assert.ok(Math.abs(denseDelta(ms.b, ms.a, ms.scale).data[0]! - 0.25 * 4 * 6) < 1e-6)
})

test('TIES: trim, elect sign by mass, disjoint mean (hand-checked)', () => {
  const out = tiesMerge([Float32Array.from([3, -1, 0.5, 2]), Float32Array.from([-2, -1, 1, 0.1])], 0.5)
  assert.deepEqual([...out], [3, -1, 1, 2])
  const agree = tiesMerge([Float32Array.from([1, 2]), Float32Array.from([3, 4])], 1)
  assert.deepEqual([...agree], [2, 3])
  assert.throws(() => tiesMerge([Float32Array.from([1])], 0), { name: 'InvalidOptionError' })
})

test('DARE: p = 0 is the weighted sum; seeded runs repeat; the rescale keeps the mean', () => {
  const taus = [Float32Array.from([1, 2, 3, 4]), Float32Array.from([4, 3, 2, 1])]
  assert.deepEqual([...dareMerge(taus, [0.5, 0.5], 0, createPrng(1))], [2.5, 2.5, 2.5, 2.5])
  const a = dareMerge(taus, [1, 1], 0.5, createPrng(7))
  const b = dareMerge(taus, [1, 1], 0.5, createPrng(7))
  assert.deepEqual([...a], [...b])
  const big = [new Float32Array(20000).fill(1)]
  const d = dareMerge(big, [1], 0.9, createPrng(3))
  const mean = d.reduce((s, v) => s + v, 0) / d.length
  assert.ok(Math.abs(mean - 1) < 0.08, `mean ${mean}`)
  assert.ok(d.every((v) => v === 0 || Math.abs(v - 10) < 1e-5))
  assert.throws(() => dareMerge(taus, [1, 1], 1, createPrng(1)), { name: 'InvalidOptionError' })
})

test('kthLargestAbs agrees with sorting (property)', () => {
  fc.assert(fc.property(fc.array(fc.float({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }), fc.nat(), (xs, kk) => {
    const data = Float32Array.from(xs)
    const k = 1 + (kk % data.length)
    const sorted = [...data].map(Math.abs).sort((p, q) => q - p)
    return kthLargestAbs(data, k) === sorted[k - 1]
  }), { numRuns: 300 })
})

test('factored truncated SVD equals a dense SVD (small case)', () => {
  const tg = randomTarget('m', 12, 10, 5, 11)
  const dense = denseDelta(tg.b, tg.a, tg.scale)
  const ref = new SingularValueDecomposition(Matrix.from1DArray(12, 10, Array.from(dense.data)))
  const tr = truncateFactored({ b: to64(tg.b, tg.scale), a: to64(tg.a) }, 3)
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(tr.singularValues[i]! - ref.diagonal[i]!) < 1e-4 * ref.diagonal[0]!)
  const approx = denseDelta(tr.b, tr.a)
  let err = 0
  for (let i = 0; i < approx.data.length; i++) err += (approx.data[i]! - dense.data[i]!) ** 2
  const tail = Math.sqrt(ref.diagonal[3]! ** 2 + ref.diagonal[4]! ** 2)
  assert.ok(Math.abs(Math.sqrt(err) - tail) < 1e-3 * tail)
})

test('randomized SVD recovers an exactly low-rank matrix', () => {
  const tg = randomTarget('m', 60, 50, 4, 5)
  const dense = denseDelta(tg.b, tg.a)
  const r = randomizedSvd(dense, 4, { seed: 3 })
  assert.ok(maxAbsDiff(denseDelta(r.b, r.a).data, dense.data) < 1e-3)
  assert.ok(r.energyKept > 0.999999)
})

test('merge inputs are checked: shapes, bases, frames, weights, ranks', () => {
  const x = memoryAdapter([randomTarget('m', 4, 3, 2, 1)])
  assert.throws(() => mergeAdapters([x, memoryAdapter([randomTarget('m', 5, 3, 2, 1)])], { method: 'linear' }), { name: 'ShapeMismatchError' })
  assert.throws(() => mergeAdapters([x, memoryAdapter([randomTarget('m', 4, 3, 2, 1)], { baseModel: 'other/base' })], { method: 'linear' }), { name: 'BaseModelMismatchError' })
  assert.equal(mergeAdapters([x, memoryAdapter([randomTarget('m', 4, 3, 2, 1)], { baseModel: 'other/base' })], { method: 'linear', allowBaseMismatch: true }).targets.length, 1)
  assert.throws(() => mergeAdapters([x, memoryAdapter([randomTarget('m', 4, 3, 2, 1)], { frame: 'gguf' })], { method: 'linear' }), { name: 'BaseModelMismatchError' })
  assert.throws(() => mergeAdapters([x, x], { method: 'linear', weights: [1] }), { name: 'InvalidOptionError' })
  assert.throws(() => mergeAdapters([x, x], { method: 'linear', weights: [1, NaN] }), { name: 'InvalidOptionError' })
  assert.throws(() => mergeAdapters([x, x], { method: 'linear', rank: 0 }), { name: 'InvalidOptionError' })
  assert.throws(() => mergeAdapters([x, memoryAdapter([randomTarget('m', 4, 3, 3, 1)])], { method: 'naive' }), { name: 'InvalidOptionError' })
  assert.throws(() => mergeAdapters([x, x], { method: 'slerp' as 'linear' }), { name: 'InvalidOptionError' })
  const partial = mergeAdapters([x, memoryAdapter([randomTarget('other', 4, 3, 2, 1)])], { method: 'linear' })
  assert.equal(partial.targets.length, 2)
  assert.ok(partial.warnings.some((w) => w.includes('missing')))
})

test('TinyLlama 3-way: full-rank linear merge reproduces the mean ΔW; TIES/DARE output valid adapters', async (t) => {
  const names = ['tinyllama-emotion', 'tinyllama-keywords', 'tinyllama-therapist']
  const dirs = names.map((n) => sharedAdapter(t, n))
  if (dirs.some((d) => d == null)) return
  const ads = await Promise.all(dirs.map((d) => readPeftDir(d as string)))
  const targets = ['model.layers.0.self_attn.v_proj', 'model.layers.7.self_attn.v_proj']
  const lin = mergeAdapters(ads, { method: 'linear', rank: 12, targets })
  const m = lin.adapter.targets[0]!
  const want = new Float32Array(256 * 2048)
  for (const a of ads) {
    const tg = a.targets.find((x) => x.name === targets[0])!
    const d = denseDelta(tg.b, tg.a, tg.scale).data
    for (let i = 0; i < d.length; i++) want[i] = want[i]! + d[i]! / 3
  }
  const err = maxAbsDiff(denseDelta(m.b, m.a, m.scale).data, want)
  assert.ok(err < 1e-6, `max abs error ${err}`)
  const naive = mergeAdapters(ads, { method: 'naive', targets })
  console.log(`tinyllama v_proj: linear cos ${lin.retention.map((r) => r.cos.toFixed(3)).join('/')}, naive cos ${naive.retention.map((r) => r.cos.toFixed(3)).join('/')}, cross-term share ${naive.crossTermShare?.toFixed(3)}`)
  assert.ok((naive.crossTermShare ?? 0) > 0.3, 'unrelated adapters: cross-terms are a large share of the naive merge')
  for (const method of ['ties', 'dare'] as const) {
    const r = mergeAdapters(ads, { method, rank: 8, targets: [targets[0]!] })
    assert.equal(r.adapter.targets[0]!.rank, 8)
    assert.ok(r.retention.every((x) => x.cos > 0.1 && Number.isFinite(x.relError)), `${method}: ${JSON.stringify(r.retention)}`)
  }
  const dir = await tempDir(t)
  await writePeftDir(lin.adapter, join(dir, 'merged'))
  const reread = await loadAdapterFile(join(dir, 'merged'))
  assert.equal(reread.targets[0]!.rank, 12)
  assert.ok(maxAbsDiff(denseDelta(reread.targets[0]!.b, reread.targets[0]!.a, reread.targets[0]!.scale).data, want) < 1e-6)
  await writeGgufLora(convertToGguf(lin.adapter), join(dir, 'merged.gguf'))
  const g = await readGgufLora(join(dir, 'merged.gguf'))
  assert.equal(g.targets[0]!.name, 'blk.0.attn_v.weight')
})
