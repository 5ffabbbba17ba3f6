import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadAdapterFile, readPeftDir, writePeftDir } from '../../src/adapters/index.ts'
import { encodeSafetensors } from '../../src/adapters/safetensors.ts'
import { parsePeftConfig, peftAdapterFromBytes } from '../../src/adapters/peft.ts'
import { ALL_ADAPTERS, memoryAdapter, randomTarget, sharedAdapter, tempDir } from './helpers.ts'

const EXPECT: Record<string, { targets: number, rank: number, scale: number, arch: string, fanInFanOut: boolean, extras: number }> = {
  'gpt2-chess': { targets: 12, rank: 8, scale: 4, arch: 'gpt2', fanInFanOut: true, extras: 0 },
  'gpt2-pseudo2code': { targets: 36, rank: 8, scale: 4, arch: 'gpt2', fanInFanOut: true, extras: 0 },
  'qwen05b-base-hh-reward': { targets: 48, rank: 16, scale: 2, arch: 'qwen2', fanInFanOut: false, extras: 1 },
  'qwen05b-instruct-timeseries-r6': { targets: 48, rank: 6, scale: 32 / 6, arch: 'qwen2', fanInFanOut: false, extras: 0 },
  'tinyllama-therapist': { targets: 44, rank: 4, scale: 2, arch: 'llama', fanInFanOut: false, extras: 0 }
}

test('all 13 shared adapters import with the expected shapes and scales', async (t) => {
  for (const name of ALL_ADAPTERS) {
    const dir = sharedAdapter(t, name)
    if (dir == null) return
    const a = await loadAdapterFile(dir)
    assert.equal(a.format, 'peft')
    assert.ok(a.targets.length > 0)
    for (const tg of a.targets) {
      assert.equal(tg.a.rows, tg.rank)
      assert.equal(tg.b.cols, tg.rank)
      assert.equal(tg.a.data.length, tg.rank * tg.a.cols)
    }
    const e = EXPECT[name]
    if (e == null) continue
    assert.equal(a.targets.length, e.targets, name)
    assert.equal(a.targets[0]?.rank, e.rank)
    assert.ok(Math.abs((a.targets[0]?.scale ?? 0) - e.scale) < 1e-12)
    assert.equal(a.arch, e.arch)
    assert.equal(a.fanInFanOut, e.fanInFanOut)
    assert.equal(a.extras.length, e.extras)
  }
})

test('reward adapter: the score head is reported and carried, never treated as A/B', async (t) => {
  const dir = sharedAdapter(t, 'qwen05b-base-hh-reward')
  if (dir == null) return
  const a = await readPeftDir(dir)
  assert.equal(a.sourceDtype, 'BF16')
  assert.deepEqual(a.extras.map((e) => [e.name, e.shape]), [['base_model.model.score.weight', [1, 896]]])
  assert.ok(a.warnings.some((w) => w.includes('score.weight')))
  assert.ok(!a.targets.some((tg) => tg.name.includes('score')))
})

test('gpt2: c_proj matches both attention and MLP projections', async (t) => {
  const dir = sharedAdapter(t, 'gpt2-tigrinya')
  if (dir == null) return
  const a = await readPeftDir(dir)
  const mlp = a.targets.find((tg) => tg.name === 'transformer.h.3.mlp.c_proj')
  const attn = a.targets.find((tg) => tg.name === 'transformer.h.3.attn.c_proj')
  assert.equal(mlp?.a.cols, 3072)
  assert.equal(attn?.a.cols, 768)
  assert.equal(a.targets[1]?.name.startsWith('transformer.h.0.'), true, 'natural layer order')
})

test('write → read round trip keeps every factor and the config', async (t) => {
  const dir = await tempDir(t)
  const ad = memoryAdapter([randomTarget('model.layers.0.self_attn.q_proj', 6, 5, 2, 1, 4), randomTarget('model.layers.1.self_attn.q_proj', 6, 5, 2, 2, 4)])
  await writePeftDir(ad, join(dir, 'out'))
  const back = await readPeftDir(join(dir, 'out'))
  assert.equal(back.targets.length, 2)
  assert.deepEqual([...back.targets[1]!.b.data], [...ad.targets[1]!.b.data])
  assert.equal(back.targets[0]!.scale, 2)
  const cfg = JSON.parse(await readFile(join(dir, 'out', 'adapter_config.json'), 'utf8')) as Record<string, unknown>
  assert.equal(cfg.r, 2)
  assert.equal(cfg.lora_alpha, 4)
  assert.equal(cfg.base_model_name_or_path, 'test/base')
})

test('targets with differing scales are folded into B so ΔW is preserved', async (t) => {
  const dir = await tempDir(t)
  const x = randomTarget('m.a', 4, 3, 2, 3, 2)
  const y = { ...randomTarget('m.b', 4, 3, 2, 4, 2), alpha: 10, scale: 5 }
  await writePeftDir(memoryAdapter([x, y]), dir)
  const back = await readPeftDir(dir)
  const yb = back.targets.find((tg) => tg.name === 'm.b')!
  for (let i = 0; i < y.b.data.length; i++) {
    assert.ok(Math.abs(yb.scale * yb.b.data[i]! - y.scale * y.b.data[i]!) < 1e-5)
  }
})

const cfg = { r: 2, lora_alpha: 4, target_modules: ['q_proj'], peft_type: 'LORA' }
const pair = (a: Float32Array, b: Float32Array): Uint8Array => encodeSafetensors([
  { name: 'base_model.model.m.q_proj.lora_A.weight', dtype: 'F32', shape: [2, 3], data: a },
  { name: 'base_model.model.m.q_proj.lora_B.weight', dtype: 'F32', shape: [4, 2], data: b }
])

test('bad PEFT input: NaN/Inf, missing factor, rank mismatch, bad config', () => {
  const a = new Float32Array(6).fill(0.5)
  const b = new Float32Array(8).fill(0.25)
  assert.equal(peftAdapterFromBytes(cfg, pair(a, b)).targets.length, 1)
  const nan = Float32Array.from(b); nan[5] = NaN
  assert.throws(() => peftAdapterFromBytes(cfg, pair(a, nan)), (e: Error & { index: number }) => e.name === 'NonFiniteValueError' && e.index === 5)
  const inf = Float32Array.from(a); inf[0] = -Infinity
  assert.throws(() => peftAdapterFromBytes(cfg, pair(inf, b)), { name: 'NonFiniteValueError' })
  const onlyA = encodeSafetensors([{ name: 'base_model.model.m.q_proj.lora_A.weight', dtype: 'F32', shape: [2, 3], data: a }])
  assert.throws(() => peftAdapterFromBytes(cfg, onlyA), { name: 'LoraPairError' })
  assert.throws(() => peftAdapterFromBytes({ ...cfg, r: 3 }, pair(a, b)), { name: 'LoraPairError' })
  const badRank = encodeSafetensors([
    { name: 'm.q_proj.lora_A.weight', dtype: 'F32', shape: [2, 3], data: a },
    { name: 'm.q_proj.lora_B.weight', dtype: 'F32', shape: [2, 4], data: b }
  ])
  assert.throws(() => peftAdapterFromBytes(cfg, badRank), { name: 'LoraPairError' })
  assert.throws(() => parsePeftConfig({ lora_alpha: 4 }), (e: Error & { field: string }) => e.name === 'AdapterConfigError' && e.field === 'r')
  assert.throws(() => parsePeftConfig({ ...cfg, use_dora: true }), { name: 'AdapterConfigError' })
  assert.throws(() => parsePeftConfig({ ...cfg, peft_type: 'IA3' }), { name: 'AdapterConfigError' })
  assert.throws(() => parsePeftConfig([1, 2]), { name: 'AdapterConfigError' })
  // unknown keys are ignored, rank_pattern and rsLoRA respected
  const c = parsePeftConfig({ ...cfg, some_future_key: { x: 1 }, rank_pattern: { q_proj: 2 }, use_rslora: true })
  assert.equal(c.useRslora, true)
  assert.ok(Math.abs(peftAdapterFromBytes({ ...cfg, use_rslora: true }, pair(a, b)).targets[0]!.scale - 4 / Math.sqrt(2)) < 1e-12)
})

test('missing directory → AdapterNotFoundError; broken config JSON → AdapterConfigError', async (t) => {
  const dir = await tempDir(t)
  await assert.rejects(loadAdapterFile(join(dir, 'nope')), { name: 'AdapterNotFoundError' })
  await assert.rejects(readPeftDir(dir), { name: 'AdapterNotFoundError' })
  await mkdir(join(dir, 'p'))
  await writeFile(join(dir, 'p', 'adapter_config.json'), '{ not json')
  await writeFile(join(dir, 'p', 'adapter_model.safetensors'), pair(new Float32Array(6), new Float32Array(8)))
  await assert.rejects(readPeftDir(join(dir, 'p')), { name: 'AdapterConfigError' })
})

test('a failing write leaves no partial output', async (t) => {
  const dir = await tempDir(t)
  const out = join(dir, 'out')
  await mkdir(join(out, 'adapter_config.json'), { recursive: true }) // a directory where the config file must go
  await assert.rejects(writePeftDir(memoryAdapter([randomTarget('m.q', 4, 3, 2, 1)]), out))
  const left = await readdir(out)
  assert.deepEqual(left, ['adapter_config.json'], `left behind: ${left.join(', ')}`)
})
