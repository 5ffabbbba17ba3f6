import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareAdapters, readPeftDir } from '../../src/adapters/index.ts'
import { principalCosines, randomSubspaceNull } from '../../src/adapters/overlap.ts'
import type { Mat64 } from '../../src/adapters/index.ts'
import { createPrng } from '../../src/random/index.ts'
import { memoryAdapter, randomTarget, sharedAdapter } from './helpers.ts'

function gauss (rows: number, cols: number, seed: number): Mat64 {
  const r = createPrng(seed)
  return { rows, cols, data: new Float64Array(rows * cols).map(() => r.gaussian()) }
}

test('principal cosines: same span → 1, orthogonal spans → 0', () => {
  const x = gauss(50, 3, 1)
  // y = x · M (another basis of the same span)
  const m = [2, 1, 0, -1, 3, 1, 0.5, 0, 1]
  const y: Mat64 = { rows: 50, cols: 3, data: new Float64Array(150) }
  for (let i = 0; i < 50; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) y.data[i * 3 + j]! += x.data[i * 3 + k]! * m[k * 3 + j]!
  assert.ok(principalCosines(x, y).every((c) => c > 1 - 1e-9))
  const e1: Mat64 = { rows: 4, cols: 1, data: Float64Array.from([1, 0, 0, 0]) }
  const e2: Mat64 = { rows: 4, cols: 2, data: Float64Array.from([0, 0, 1, 0, 0, 1, 0, 0]) }
  assert.ok(principalCosines(e1, e2).every((c) => c < 1e-12))
  const nullSmall = randomSubspaceNull(2048, 4, 4).mean
  const nullBig = randomSubspaceNull(64, 16, 16).mean
  assert.ok(nullSmall < 0.1 && nullBig > nullSmall, `${nullSmall} ${nullBig}`)
})

test('synthetic: a noisy copy is "merge", an independent adapter is "route"', () => {
  const base = randomTarget('m', 64, 48, 4, 1)
  const noisy = { ...base, b: { ...base.b, data: base.b.data.map((v, i) => v + 0.2 * Math.sin(i)) } }
  const other = randomTarget('m', 64, 48, 4, 99)
  const same = compareAdapters([memoryAdapter([base]), memoryAdapter([noisy])], { methods: ['linear'] })
  assert.equal(same.verdict, 'merge')
  const diff = compareAdapters([memoryAdapter([base]), memoryAdapter([other])], { methods: ['linear', 'naive'] })
  assert.equal(diff.verdict, 'route')
  assert.ok(Math.abs(diff.pairs[0]!.deltaCos) < 0.2)
  assert.ok(diff.methods.find((m) => m.method === 'naive')?.crossTermShare != null)
})

async function load (t: Parameters<typeof sharedAdapter>[0], names: string[]): Promise<Awaited<ReturnType<typeof readPeftDir>>[] | undefined> {
  const dirs = names.map((n) => sharedAdapter(t, n))
  if (dirs.some((d) => d == null)) return undefined
  return Promise.all(dirs.map(async (d) => readPeftDir(d as string)))
}

test('time series r6 vs r12 (same task, different ranks) → merge', async (t) => {
  const names = ['qwen05b-instruct-timeseries-r6', 'qwen05b-instruct-timeseries-r12']
  const ads = await load(t, names)
  if (ads == null) return
  const r = compareAdapters(ads, { labels: names, methods: ['linear'] })
  const p = r.pairs[0]!
  console.log(`timeseries r6/r12: ΔW cos ${p.deltaCos.toFixed(4)}, B overlap ${p.bOverlap.toFixed(3)} (null ${p.bNull.toFixed(3)}, excess ${p.bExcess.toFixed(3)}), A overlap ${p.aOverlap.toFixed(3)}`)
  assert.equal(r.verdict, 'merge')
  assert.equal(p.targets, 48)
  assert.ok(p.bOverlap > 2 * p.bNull)
  assert.ok(r.methods[0]!.retention.every((x) => x.cos > 0.3))
})

test('unrelated pairs and the three TinyLlama tasks → route', async (t) => {
  const qa = await load(t, ['qwen05b-instruct-llmsys-qa', 'qwen05b-instruct-math-ppo'])
  const tl = await load(t, ['tinyllama-emotion', 'tinyllama-keywords', 'tinyllama-therapist'])
  if (qa == null || tl == null) return
  const r1 = compareAdapters(qa, { methods: ['linear', 'naive'] })
  console.log(`llmsys-qa/math-ppo: ΔW cos ${r1.pairs[0]!.deltaCos.toFixed(4)}, B excess ${r1.pairs[0]!.bExcess.toFixed(3)}, naive cross-terms ${r1.methods[1]!.crossTermShare?.toFixed(3)}`)
  assert.equal(r1.verdict, 'route')
  assert.ok(Math.abs(r1.pairs[0]!.deltaCos) < 0.01)
  const layers = [0, 10, 21].flatMap((l) => [`model.layers.${l}.self_attn.q_proj`, `model.layers.${l}.self_attn.v_proj`])
  const r2 = compareAdapters(tl, { methods: ['linear'], targets: layers })
  assert.equal(r2.verdict, 'route')
  assert.equal(r2.pairs.length, 3)
  assert.equal(r2.targets.length, 6)
  for (const p of r2.pairs) assert.ok(p.bExcess < r2.thresholds.bExcess)
})

test('Instruct vs base model adapters: BaseModelMismatchError unless allowed', async (t) => {
  const ads = await load(t, ['qwen05b-instruct-timeseries-r6', 'qwen05b-base-hh-sft'])
  if (ads == null) return
  assert.throws(() => compareAdapters(ads), { name: 'BaseModelMismatchError' })
  const r = compareAdapters(ads, { allowBaseMismatch: true, methods: ['linear'], targets: ['model.layers.0.self_attn.v_proj'] })
  assert.equal(r.verdict, 'route')
})
