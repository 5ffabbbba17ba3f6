/**
 * Short fuzzing pass over every decoder a peer can reach (bench/adversarial.ts runs ≥ 10,000 per
 * decoder): random bytes and mutations of valid encodings. Every input must be accepted or
 * refused with a named error; none may throw a generic error or hang.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fuzz, fuzzTargets } from './fuzz.ts'
import type { FuzzTargets } from './fuzz.ts'

let t: FuzzTargets
before(async () => { t = await fuzzTargets(true) })
after(() => { t.close() })

describe('fuzzing decoders', () => {
  it('every decoder answers every input with a result or a named error (150 cases each)', async () => {
    for (const target of t.targets) {
      const r = await fuzz(target, 150, 20_251_123)
      assert.equal(r.cases, 150)
      assert.equal(r.crashes, 0, `${r.name}: ${r.crashSamples.join('; ')}`)
      assert.equal(r.hangs, 0, `${r.name}: slowest ${r.slowestMs} ms`)
      assert.ok(r.accepted >= target.seeds.length, `${r.name}: the valid seeds decode`)
      if (target.name !== 'trust.screenWeightFile') assert.ok(Object.keys(r.errors).length > 0, `${r.name}: mutations are refused`)
    }
  })
})
