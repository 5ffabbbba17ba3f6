/** Unsigned LEB128 varints: the frame length prefix and the integers inside sync messages. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { frame } from '../../src/mesh/stream-io.ts'
import { readVarint, varintBytes, varintLength } from '../../src/mesh/varint.ts'

describe('varints', () => {
  it('write the standard unsigned LEB128 bytes', () => {
    assert.deepEqual(varintBytes(0), [0])
    assert.deepEqual(varintBytes(127), [0x7f])
    assert.deepEqual(varintBytes(128), [0x80, 0x01])
    assert.deepEqual(varintBytes(300), [0xac, 0x02])
    assert.deepEqual(varintBytes(2 ** 32), [0x80, 0x80, 0x80, 0x80, 0x10])
    assert.deepEqual([...frame(new Uint8Array(300).fill(7)).subarray(0, 3)], [0xac, 0x02, 7])
    assert.equal(frame(new Uint8Array(0)).length, 1)
  })

  it('read back what they write, with its length (property)', () => {
    fc.assert(fc.property(fc.maxSafeNat(), fc.nat(4), (n, pad) => {
      const bytes = Uint8Array.from([...new Array<number>(pad).fill(0xff), ...varintBytes(n), 0x55])
      const r = readVarint(bytes, pad, 8)
      assert.deepEqual(r, { value: n, length: varintLength(n) })
      assert.equal(varintLength(n), varintBytes(n).length)
    }))
  })

  it('say when the bytes end inside a varint or it runs past its limit', () => {
    assert.equal(readVarint(new Uint8Array([]), 0, 5), 'truncated')
    assert.equal(readVarint(new Uint8Array([0x80, 0x80]), 0, 5), 'truncated')
    assert.equal(readVarint(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 0, 5), 'too-long')
    assert.deepEqual(readVarint(new Uint8Array([0xff, 0xff, 0xff, 0x7f]), 0, 5), { value: 2 ** 28 - 1, length: 4 })
  })
})
