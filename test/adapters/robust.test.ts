import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPrng, denseDelta, readPeftDir } from '../../src/adapters/index.ts'
import { aggregateDense, aggregateVersions } from '../../src/adapters/robust.ts'
import type { LoraAdapter, LoraTarget } from '../../src/adapters/index.ts'
import { memoryAdapter, randomTarget, sharedAdapter } from './helpers.ts'

test('coordinate-wise median and trimmed mean (hand-checked)', () => {
  const xs = [[1, 10], [2, 20], [3, 30], [4, 40], [1000, -1000]].map((v) => Float32Array.from(v))
  assert.deepEqual([...aggregateDense(xs, 'median')], [3, 20])
  assert.deepEqual([...aggregateDense(xs, 'trimmed-mean', 0.2)], [3, 20])
  assert.deepEqual([...aggregateDense(xs, 'mean')], [202, -180])
  assert.deepEqual([...aggregateDense(xs.slice(0, 4), 'median')], [2.5, 25])
  assert.throws(() => aggregateDense(xs, 'trimmed-mean', 0.5), { name: 'InvalidOptionError' })
})

function jitter (t: LoraTarget, rng: ReturnType<typeof createPrng>, rel: number): LoraTarget {
  const sd = (d: Float32Array): number => Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length)
  const sa = sd(t.a.data) * rel
  const sb = sd(t.b.data) * rel
  return {
    ...t,
    a: { ...t.a, data: t.a.data.map((v) => v + sa * rng.gaussian()) },
    b: { ...t.b, data: t.b.data.map((v) => v + sb * rng.gaussian()) }
  }
}

function relDist (x: Float32Array, ref: Float32Array): number {
  let e = 0; let n = 0
  for (let i = 0; i < x.length; i++) { e += (x[i]! - ref[i]!) ** 2; n += ref[i]! ** 2 }
  return Math.sqrt(e / n)
}

test('versions of a real adapter: median and trimmed mean survive 2 of 7 adversaries, the mean does not', async (t) => {
  const dir = sharedAdapter(t, 'tinyllama-emotion')
  if (dir == null) return
  const src = await readPeftDir(dir)
  const names = ['model.layers.0.self_attn.v_proj', 'model.layers.5.self_attn.v_proj']
  const base: LoraAdapter = { ...src, targets: src.targets.filter((x) => names.includes(x.name)) }
  const rng = createPrng(42)
  const honest = Array.from({ length: 5 }, () => ({ ...base, targets: base.targets.map((x) => jitter(x, rng, 0.1)) }))
  const huge = { ...base, targets: base.targets.map((x) => ({ ...x, b: { ...x.b, data: x.b.data.map((v) => v * 1000) } })) }
  const flipped = { ...base, targets: base.targets.map((x) => ({ ...x, b: { ...x.b, data: x.b.data.map((v) => -3 * v) } })) }
  const versions = [...honest, huge, flipped]
  const rows: string[] = []
  for (const [ti, name] of names.entries()) {
    const dense = (a: LoraAdapter): Float32Array => { const x = a.targets[ti]!; return denseDelta(x.b, x.a, x.scale).data }
    const honestMean = aggregateDense(honest.map(dense), 'mean')
    const all = versions.map(dense)
    const d = {
      median: relDist(aggregateDense(all, 'median'), honestMean),
      trimmed: relDist(aggregateDense(all, 'trimmed-mean', 2 / 7), honestMean),
      mean: relDist(aggregateDense(all, 'mean'), honestMean),
      honestSpread: relDist(dense(honest[0]!), honestMean)
    }
    rows.push(`${name}: median ${d.median.toFixed(3)}, trimmed ${d.trimmed.toFixed(3)}, mean ${d.mean.toFixed(1)}, one honest version ${d.honestSpread.toFixed(3)}`)
    assert.ok(d.median < 0.5 && d.trimmed < 0.5, JSON.stringify(d))
    assert.ok(d.mean > 50, JSON.stringify(d))
  }
  console.log(rows.join('\n'))
  const agg = aggregateVersions(versions, { method: 'median', rank: 4 })
  assert.equal(agg.adapter.targets.length, 2)
  assert.equal(agg.adapter.targets[0]!.rank, 4)
  const m0 = agg.adapter.targets[0]!
  const ref = aggregateDense(honest.map((a) => { const x = a.targets[0]!; return denseDelta(x.b, x.a, x.scale).data }), 'mean')
  const dist = relDist(denseDelta(m0.b, m0.a, m0.scale).data, ref)
  console.log(`median aggregate truncated to rank 4: distance to the honest mean ${dist.toFixed(3)} (energy kept ${agg.targets[0]!.energyKept.toFixed(3)})`)
  assert.ok(dist < 0.5)
})

test('versions must share every target and shape', () => {
  const x = memoryAdapter([randomTarget('m', 6, 4, 2, 1)])
  assert.throws(() => aggregateVersions([x, memoryAdapter([randomTarget('n', 6, 4, 2, 1)])], { method: 'median' }), { name: 'ShapeMismatchError' })
  assert.throws(() => aggregateVersions([x, memoryAdapter([randomTarget('m', 7, 4, 2, 1)])], { method: 'mean' }), { name: 'ShapeMismatchError' })
  const mean = aggregateVersions([x, x, x], { method: 'mean' })
  const want = denseDelta(x.targets[0]!.b, x.targets[0]!.a, x.targets[0]!.scale).data
  const got = denseDelta(mean.adapter.targets[0]!.b, mean.adapter.targets[0]!.a, 1).data
  assert.ok(relDist(got, want) < 1e-6)
})
