import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { cosine, cosinePacked, pack, unpack } from '../../src/embedding/index.ts'
import { decodePacked, encodePacked } from '../../src/embedding/vectors.ts'

describe('packed vectors', () => {
  it('sparse and dense forms give the same cosine and survive encoding', () => {
    const vec = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.float({ min: -1, max: 1, noNaN: true })), { minLength: 1, maxLength: 300 })
    fc.assert(fc.property(vec, vec, (xa, xb) => {
      const n = Math.min(xa.length, xb.length)
      const a = Float32Array.from(xa.slice(0, n))
      const b = Float32Array.from(xb.slice(0, n))
      const va = pack(a)
      const vb = pack(b)
      assert.ok(Math.abs(cosinePacked(va, vb) - cosine(a, b)) < 1e-5)
      assert.ok(Math.abs(cosinePacked({ ...va, idx: null, val: a }, vb) - cosine(a, b)) < 1e-5, 'dense × sparse')
      const back = decodePacked(encodePacked(va))!
      assert.deepEqual(Array.from(unpack(back), x => x + 0), Array.from(a, x => x + 0), 'same values (-0 and 0 alike)')
      assert.equal(back.dims, n)
    }), { numRuns: 300 })
  })
})
