import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { compressAdapter, decodeBitDelta, denseDelta, readPeftDir } from '../../src/adapters/index.ts'
import { quantiseTarget, reconstructTarget } from '../../src/adapters/bitdelta.ts'
import { targetErrorSquares } from '../../src/adapters/bitdelta.ts'
import { ALL_ADAPTERS, memoryAdapter, randomTarget, sharedAdapter } from './helpers.ts'

test('every shared adapter compresses ≥ 16× smaller than its fp32 factors', async (t) => {
  const rows: string[] = []
  for (const name of ALL_ADAPTERS) {
    const dir = sharedAdapter(t, name)
    if (dir == null) return
    const a = await readPeftDir(dir)
    // Scale refinement does not change the size; it is measured on one adapter below.
    const r = compressAdapter(a, { refineIterations: 0 })
    rows.push(`${name}: ${r.ratio.toFixed(1)}× relError ${r.relError.toFixed(3)} (mean|x| scales)`)
    assert.ok(r.ratio >= 16, `${name}: ratio ${r.ratio}`)
    assert.ok(r.relError > 0 && r.relError < 0.8, `${name}: relError ${r.relError}`)
    const back = decodeBitDelta(r.bytes)
    assert.equal(back.targets.length, a.targets.length)
    assert.equal(back.extras.length, a.extras.length)
  }
  console.log(rows.join('\n'))
})

test('least-squares refinement of scales and signs lowers the ΔW error', async (t) => {
  const dir = sharedAdapter(t, 'tinyllama-emotion')
  if (dir == null) return
  const a = await readPeftDir(dir)
  const sub = { ...a, targets: a.targets.slice(0, 6) }
  const plain = compressAdapter(sub, { refineIterations: 0 })
  const scalesOnly = compressAdapter(sub, { refineIterations: 2, fitSigns: false })
  const full = compressAdapter(sub, { refineIterations: 2 })
  console.log(`tinyllama-emotion (6 targets): mean|x| ${plain.relError.toFixed(3)}, LS scales ${scalesOnly.relError.toFixed(3)}, LS scales+signs ${full.relError.toFixed(3)}`)
  assert.ok(scalesOnly.relError < plain.relError)
  assert.ok(full.relError < scalesOnly.relError)
  assert.equal(full.ratio, plain.ratio)
})

test('refinement never increases the error (property)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 5 }), (seed, rank) => {
    const tg = randomTarget('m', 40, 30, rank, seed)
    const e0 = targetErrorSquares(tg, reconstructTarget(quantiseTarget(tg, { refineIterations: 0, group: 16 })))
    const e3 = targetErrorSquares(tg, reconstructTarget(quantiseTarget(tg, { refineIterations: 3, group: 16 })))
    return e3.err <= e0.err * (1 + 1e-3)
  }), { numRuns: 25 })
})

test('sign-structured factors compress losslessly; container round-trips exactly', () => {
  const tg = { ...randomTarget('m.q', 6, 5, 1, 1), a: { rows: 1, cols: 5, data: Float32Array.from([0.5, -0.5, 0.5, 0.5, -0.5]) }, b: { rows: 6, cols: 1, data: Float32Array.from([2, 2, -2, 2, -2, -2]) } }
  const ad = memoryAdapter([tg], { peftConfig: { r: 1, lora_alpha: 1 } })
  const r = compressAdapter(ad, { group: 4 })
  assert.ok(r.relError < 1e-6, `relError ${r.relError}`)
  const back = decodeBitDelta(r.bytes)
  assert.deepEqual([...back.targets[0]!.a.data], [...tg.a.data])
  assert.deepEqual(back.peftConfig, { r: 1, lora_alpha: 1 })
  assert.equal(back.baseModel, 'test/base')
})

test('a rank above out·in/(out+in) is stored as a dense 1-bit ΔW', () => {
  const tg = randomTarget('m', 8, 8, 8, 5)
  const q = quantiseTarget(tg)
  assert.equal(q.mode, 'dense')
  const r = compressAdapter(memoryAdapter([tg]))
  assert.equal(r.denseTargets, 1)
  const back = decodeBitDelta(r.bytes).targets[0]!
  const d = denseDelta(back.b, back.a, back.scale).data
  const want = denseDelta(tg.b, tg.a, tg.scale).data
  let agree = 0
  for (let i = 0; i < d.length; i++) if (Math.sign(d[i]!) === Math.sign(want[i]!)) agree++
  assert.equal(agree, d.length, 'every sign kept')
  assert.ok(r.relError < 0.8)
})

test('malformed containers are BitDeltaFormatError', () => {
  const r = compressAdapter(memoryAdapter([randomTarget('m', 20, 10, 2, 3)]))
  assert.throws(() => decodeBitDelta(r.bytes.subarray(0, r.bytes.length - 3)), { name: 'BitDeltaFormatError' })
  assert.throws(() => decodeBitDelta(r.bytes.subarray(0, 20)), { name: 'BitDeltaFormatError' })
  const longer = new Uint8Array(r.bytes.length + 2)
  longer.set(r.bytes)
  assert.throws(() => decodeBitDelta(longer), { name: 'BitDeltaFormatError' })
  const badMagic = r.bytes.slice()
  badMagic[0] = 0x58
  assert.throws(() => decodeBitDelta(badMagic), { name: 'BitDeltaFormatError' })
  const badHeader = r.bytes.slice()
  badHeader[12] = 0x5d
  assert.throws(() => decodeBitDelta(badHeader), { name: 'BitDeltaFormatError' })
})
