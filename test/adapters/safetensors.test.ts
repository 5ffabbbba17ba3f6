import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { encodeSafetensors, parseSafetensors } from '../../src/adapters/safetensors.ts'
import { bf16ToF32, f16ToF32, floatToBf16Bits, floatToHalfBits } from '../../src/adapters/dtype.ts'
import { ALL_ADAPTERS, sharedAdapter } from './helpers.ts'

function file (header: Record<string, unknown>, data: Uint8Array, pad = true): Uint8Array {
  let json = JSON.stringify(header)
  if (pad) json += ' '.repeat((8 - (json.length % 8)) % 8)
  const h = new TextEncoder().encode(json)
  const out = new Uint8Array(8 + h.length + data.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true)
  out.set(h, 8)
  out.set(data, 8 + h.length)
  return out
}

const twoTensors = (): Uint8Array => encodeSafetensors([
  { name: 'x.lora_A.weight', dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  { name: 'x.lora_B.weight', dtype: 'F16', shape: [3, 2], data: Float32Array.from([0.5, -1, 2, 0, 0.25, 8]) }
], { format: 'pt' })

test('encode → parse round-trips F32/F16/BF16 values and metadata', () => {
  const bytes = encodeSafetensors([
    { name: 'b', dtype: 'BF16', shape: [2], data: Float32Array.from([1.5, -3]) },
    { name: 'a', dtype: 'F32', shape: [1, 2], data: Float32Array.from([0.1, 7]) },
    { name: 'c', dtype: 'F16', shape: [3], data: Float32Array.from([65504, -(2 ** -14), 1]) }
  ], { format: 'pt' })
  const f = parseSafetensors(bytes)
  assert.deepEqual(f.metadata, { format: 'pt' })
  assert.deepEqual(f.tensors.map((t) => t.name).sort(), ['a', 'b', 'c'])
  const byName = Object.fromEntries(f.tensors.map((t) => [t.name, t]))
  assert.deepEqual([...byName.a!.data], [Math.fround(0.1), 7])
  assert.deepEqual([...byName.b!.data], [1.5, -3])
  assert.deepEqual([...byName.c!.data], [65504, -(2 ** -14), 1])
  assert.equal((new DataView(bytes.buffer).getBigUint64(0, true) % 8n), 0n, 'header padded to 8 bytes')
})

test('all 13 shared adapters re-encode byte-identically', async (t) => {
  for (const name of ALL_ADAPTERS) {
    const dir = sharedAdapter(t, name)
    if (dir == null) return
    const bytes = await readFile(join(dir, 'adapter_model.safetensors'))
    const f = parseSafetensors(bytes, name)
    const again = encodeSafetensors(f.tensors, f.metadata)
    assert.ok(Buffer.from(again).equals(bytes), `${name} differs after re-encoding`)
  }
})

test('truncated files are SafetensorsTruncatedError', () => {
  const good = twoTensors()
  assert.throws(() => parseSafetensors(good.subarray(0, 5)), { name: 'SafetensorsTruncatedError' })
  assert.throws(() => parseSafetensors(good.subarray(0, 30)), { name: 'SafetensorsTruncatedError' })
  assert.throws(() => parseSafetensors(good.subarray(0, good.length - 1)), (e: Error & { expectedBytes: number }) => e.name === 'SafetensorsTruncatedError' && e.expectedBytes === good.length)
})

test('header lies are named errors', () => {
  const data = new Uint8Array(24)
  // offsets past the end of the data
  assert.throws(() => parseSafetensors(file({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, u: { dtype: 'F32', shape: [2], data_offsets: [100, 108] } }, data)), { name: 'TensorOffsetError' })
  // overlapping tensors
  assert.throws(() => parseSafetensors(file({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, u: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data)), { name: 'TensorOffsetError' })
  // wrong dtype size: F16 × 3 needs 6 bytes, offsets span 12
  assert.throws(() => parseSafetensors(file({ t: { dtype: 'F16', shape: [3], data_offsets: [0, 12] } }, data)), (e: Error & { expectedBytes: number, actualBytes: number }) =>
    e.name === 'DtypeSizeMismatchError' && e.expectedBytes === 6 && e.actualBytes === 12)
  // unknown dtype
  assert.throws(() => parseSafetensors(file({ t: { dtype: 'Q4', shape: [3], data_offsets: [0, 24] } }, data)), { name: 'UnsupportedDtypeError' })
  // integer dtype is valid safetensors but not a float factor
  assert.throws(() => parseSafetensors(file({ t: { dtype: 'I32', shape: [6], data_offsets: [0, 24] } }, data)), { name: 'UnsupportedDtypeError' })
  // trailing bytes nobody owns
  assert.throws(() => parseSafetensors(file({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data)), { name: 'SafetensorsHeaderError' })
  // bad JSON, bad shapes, absurd header length
  const bad = file({}, data)
  bad[8] = 0x5b
  assert.throws(() => parseSafetensors(bad), { name: 'SafetensorsHeaderError' })
  assert.throws(() => parseSafetensors(file({ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 24] } }, data)), { name: 'SafetensorsHeaderError' })
  const huge = new Uint8Array(16)
  new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true)
  assert.throws(() => parseSafetensors(huge), { name: 'SafetensorsHeaderError' })
})

test('float16 and bfloat16 codecs are exact on representable values (property)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (h) => {
    const exp = (h >> 10) & 0x1f
    fc.pre(exp !== 0x1f)
    const v = f16ToF32(Uint8Array.from([h & 0xff, h >> 8]), 0, 1)[0] as number
    const back = floatToHalfBits(v)
    return back === h || (v === 0 && (back & 0x7fff) === 0)
  }), { numRuns: 3000 })
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (h) => {
    fc.pre(((h >> 7) & 0xff) !== 0xff)
    const v = bf16ToF32(Uint8Array.from([h & 0xff, h >> 8]), 0, 1)[0] as number
    return floatToBf16Bits(v) === h
  }), { numRuns: 3000 })
  // rounding to nearest even and overflow
  assert.equal(floatToHalfBits(1 + 2 ** -11), floatToHalfBits(1))
  assert.equal(floatToHalfBits(70000), 0x7c00)
  assert.equal(floatToHalfBits(-1e-9), 0x8000)
})
