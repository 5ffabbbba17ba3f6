import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gguf } from '@huggingface/gguf'
import { readGgufFileInfo } from 'node-llama-cpp'
import { convertToGguf, convertToHf, denseDelta, encodeGgufLora, readGgufLora, readPeftDir, writeGgufLora } from '../../src/adapters/index.ts'
import { encodeGguf, GGML_TYPE, GGUF_TYPE } from '../../src/adapters/gguf-format.ts'
import { ggufToHfName, hfToGgufName, permuteRows, rotaryPermutation } from '../../src/adapters/convert.ts'
import { maxAbsDiff, memoryAdapter, randomTarget, sharedAdapter, tempDir, TINY_LORA_A, TINY_LORA_B, TINY_MODEL } from './helpers.ts'

test('the tiny-model LoRA files re-write byte-identically (f32 and f16)', async () => {
  for (const p of [TINY_LORA_A, TINY_LORA_B]) {
    const a = await readGgufLora(p)
    assert.equal(a.targets.length, 7)
    assert.equal(a.targets[0]?.name, 'blk.0.attn_q.weight')
    assert.equal(a.targets[0]?.rank, 4)
    assert.equal(a.targets[0]?.alpha, 8)
    assert.deepEqual([a.targets[4]?.a.cols, a.targets[4]?.b.rows], [8, 32], 'ffn_gate: 8 → 32')
    assert.ok(Buffer.from(encodeGgufLora(a)).equals(await readFile(p)), `${p} differs`)
  }
})

test('rotary permutation matches reshape(h, 2, d/2) → swapaxes(1, 2), and inverts', () => {
  const rows = 12
  const nHead = 2
  const perm = rotaryPermutation(rows, nHead)
  // Reference: new[h][j][t] = old[h][t][j] with d = 6
  const d = rows / nHead
  const ref: number[] = []
  for (let h = 0; h < nHead; h++) for (let j = 0; j < d / 2; j++) for (let tt = 0; tt < 2; tt++) ref.push(h * d + tt * (d / 2) + j)
  assert.deepEqual([...perm], ref)
  assert.deepEqual([...perm], [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11])
  const m = { rows, cols: 2, data: Float32Array.from({ length: 24 }, (_, i) => i) }
  const p = permuteRows(m, perm)
  assert.deepEqual([...p.data.subarray(0, 4)], [0, 1, 6, 7])
  assert.deepEqual([...permuteRows(p, perm, true).data], [...m.data])
  assert.throws(() => rotaryPermutation(10, 3), { name: 'ArchitectureInfoError' })
})

test('tensor names map per architecture and back', () => {
  assert.equal(hfToGgufName('model.layers.3.self_attn.q_proj', 'llama'), 'blk.3.attn_q.weight')
  assert.equal(hfToGgufName('model.layers.3.self_attn.o_proj', 'qwen2'), 'blk.3.attn_output.weight')
  assert.equal(hfToGgufName('model.layers.0.mlp.down_proj', 'llama'), 'blk.0.ffn_down.weight')
  assert.equal(hfToGgufName('transformer.h.11.attn.c_attn', 'gpt2'), 'blk.11.attn_qkv.weight')
  assert.equal(hfToGgufName('transformer.h.2.mlp.c_proj', 'gpt2'), 'blk.2.ffn_down.weight')
  for (const [n, a] of [['model.layers.7.mlp.gate_proj', 'llama'], ['transformer.h.5.attn.c_proj', 'gpt2'], ['transformer.h.5.mlp.c_fc', 'gpt2']] as const) {
    assert.equal(ggufToHfName(hfToGgufName(n, a), a), n)
  }
  assert.throws(() => hfToGgufName('lm_head', 'llama'), { name: 'UnsupportedTargetError' })
  assert.throws(() => hfToGgufName('model.layers.0.self_attn.q_proj', 'mamba'), { name: 'UnsupportedArchitectureError' })
})

test('TinyLlama adapters convert to GGUF that both GGUF readers accept, and round-trip ΔW exactly', async (t) => {
  const dir = sharedAdapter(t, 'tinyllama-keywords')
  if (dir == null) return
  const tmp = await tempDir(t)
  const src = await readPeftDir(dir)
  const conv = convertToGguf(src)
  assert.equal(conv.arch, 'llama')
  const out = join(tmp, 'kw.gguf')
  await writeGgufLora(conv, out)
  const hf = await gguf(out, { allowLocalFile: true })
  assert.equal(hf.tensorInfos.length, 88)
  const meta = hf.metadata as unknown as Record<string, unknown>
  assert.equal(meta['general.type'], 'adapter')
  assert.equal(meta['adapter.lora.alpha'], 8)
  const q = hf.tensorInfos.find((x) => x.name === 'blk.0.attn_q.weight.lora_b')
  assert.deepEqual(q?.shape, [4n, 2048n])
  const info = await readGgufFileInfo(out, { logWarnings: false })
  assert.equal(info.tensorInfo?.length, 88)
  assert.equal(info.tensorInfo?.find((x) => x.name === 'blk.21.attn_v.weight.lora_a')?.dimensions.join(','), '2048,4')

  const back = convertToHf(await readGgufLora(out))
  let maxErr = 0
  for (const [i, tg] of src.targets.entries()) {
    const u = back.targets[i]!
    assert.equal(u.name, tg.name)
    if (i < 4) maxErr = Math.max(maxErr, maxAbsDiff(denseDelta(tg.b, tg.a, tg.scale).data, denseDelta(u.b, u.a, u.scale).data))
    assert.equal(maxAbsDiff(tg.b.data, u.b.data), 0)
  }
  console.log(`tinyllama-keywords PEFT → GGUF(f32) → PEFT: max |ΔW − ΔW'| = ${maxErr}`)
  assert.equal(maxErr, 0)
  // q rows really were permuted (and v rows were not)
  const q0 = conv.targets[0]!
  assert.notDeepEqual([...q0.b.data.subarray(0, 8)], [...src.targets[0]!.b.data.subarray(0, 8)])
  assert.deepEqual([...conv.targets[1]!.b.data], [...src.targets[1]!.b.data])

  const out16 = join(tmp, 'kw16.gguf')
  await writeGgufLora(conv, out16, { dtype: 'F16' })
  const back16 = convertToHf(await readGgufLora(out16))
  const err16 = maxAbsDiff(denseDelta(src.targets[0]!.b, src.targets[0]!.a, 2).data, denseDelta(back16.targets[0]!.b, back16.targets[0]!.a, back16.targets[0]!.scale).data)
  console.log(`f16 round trip, layer-0 q: max |ΔW − ΔW'| = ${err16.toExponential(2)}`)
  assert.ok(err16 > 0 && err16 < 1e-4)
})

test('qwen2 and gpt2 convert without permutation; gpt2 Conv1D factors match the GGUF base shapes', async (t) => {
  const q = sharedAdapter(t, 'qwen05b-instruct-math-ppo')
  const g = sharedAdapter(t, 'gpt2-tigrinya')
  if (q == null || g == null) return
  const qa = await readPeftDir(q)
  const qc = convertToGguf(qa)
  assert.deepEqual([...qc.targets[0]!.b.data], [...qa.targets[0]!.b.data])
  const ga = await readPeftDir(g)
  const gc = convertToGguf(ga)
  const qkv = gc.targets.find((x) => x.name === 'blk.0.attn_qkv.weight')!
  // GGUF gpt2 attn_qkv has ne [768, 2304]; lora_a must be ne [768, r], lora_b ne [r, 2304]
  assert.deepEqual([qkv.a.cols, qkv.b.rows], [768, 2304])
  const down = gc.targets.find((x) => x.name === 'blk.0.ffn_down.weight')!
  assert.deepEqual([down.a.cols, down.b.rows], [3072, 768])
  assert.equal(gc.fanInFanOut, false)
  assert.equal(convertToHf(gc).fanInFanOut, true)
})

test('llama q/k conversion needs head counts when the base is unknown', () => {
  const ad = memoryAdapter([randomTarget('model.layers.0.self_attn.q_proj', 8, 8, 2, 1)], { baseModel: 'someone/llama-ish', arch: 'llama' })
  assert.throws(() => convertToGguf(ad), { name: 'ArchitectureInfoError' })
  const c = convertToGguf(ad, { nHead: 2 })
  assert.deepEqual([...convertToHf(c, { nHead: 2 }).targets[0]!.b.data], [...ad.targets[0]!.b.data])
  assert.throws(() => convertToGguf(memoryAdapter([randomTarget('model.layers.0.self_attn.q_proj', 8, 8, 2, 1)], { baseModel: undefined })), { name: 'UnsupportedArchitectureError' })
})

test('bad GGUF input: not an adapter, truncated, NaN, unpaired', async (t) => {
  const dir = await tempDir(t)
  await assert.rejects(readGgufLora(TINY_MODEL), { name: 'GgufFormatError' })
  const bytes = await readFile(TINY_LORA_A)
  await writeFile(join(dir, 'cut.gguf'), bytes.subarray(0, bytes.length - 100))
  await assert.rejects(readGgufLora(join(dir, 'cut.gguf')), { name: 'GgufFormatError' })
  await writeFile(join(dir, 'head.gguf'), bytes.subarray(0, 100))
  await assert.rejects(readGgufLora(join(dir, 'head.gguf')), { name: 'GgufFormatError' })
  const kv = [
    { key: 'general.architecture', type: GGUF_TYPE.STRING, value: 'llama' },
    { key: 'general.type', type: GGUF_TYPE.STRING, value: 'adapter' },
    { key: 'adapter.type', type: GGUF_TYPE.STRING, value: 'lora' }
  ]
  const f32 = (xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer)
  await writeFile(join(dir, 'nan.gguf'), encodeGguf(kv, [
    { name: 'blk.0.attn_v.weight.lora_a', ne: [2, 1], ggmlType: GGML_TYPE.F32, data: f32([1, NaN]) },
    { name: 'blk.0.attn_v.weight.lora_b', ne: [1, 2], ggmlType: GGML_TYPE.F32, data: f32([1, 2]) }
  ]))
  await assert.rejects(readGgufLora(join(dir, 'nan.gguf')), { name: 'NonFiniteValueError' })
  await writeFile(join(dir, 'half.gguf'), encodeGguf(kv, [{ name: 'blk.0.attn_v.weight.lora_a', ne: [2, 1], ggmlType: GGML_TYPE.F32, data: f32([1, 2]) }]))
  await assert.rejects(readGgufLora(join(dir, 'half.gguf')), { name: 'LoraPairError' })
  // no alpha key: llama.cpp scale 1
  await writeFile(join(dir, 'noalpha.gguf'), encodeGguf(kv, [
    { name: 'blk.0.attn_v.weight.lora_a', ne: [2, 1], ggmlType: GGML_TYPE.F32, data: f32([1, 2]) },
    { name: 'blk.0.attn_v.weight.lora_b', ne: [1, 2], ggmlType: GGML_TYPE.F32, data: f32([3, 4]) }
  ]))
  assert.equal((await readGgufLora(join(dir, 'noalpha.gguf'))).targets[0]?.scale, 1)
})
