import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import { registerAdapterMath } from '../../src/cli/commands/adapter-math.ts'
import { readGgufLora } from '../../src/adapters/index.ts'
import { encodeSafetensors } from '../../src/adapters/safetensors.ts'
import { sharedAdapter, tempDir, TINY_LORA_A, TINY_LORA_B } from './helpers.ts'

/** Runs `baobab adapter <args>` in process; returns stdout, stderr and the exit code. */
async function cli (args: string[]): Promise<{ out: string, err: string, code: number }> {
  const program = new Command('baobab').exitOverride()
  registerAdapterMath(program.command('adapter').exitOverride())
  let out = ''
  let err = ''
  const w = process.stdout.write.bind(process.stdout)
  const e = console.error
  process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true }) as typeof process.stdout.write
  console.error = (...xs: unknown[]) => { err += xs.join(' ') + '\n' }
  try {
    await program.parseAsync(['node', 'baobab', 'adapter', ...args])
  } finally {
    process.stdout.write = w
    console.error = e
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0
  process.exitCode = 0
  return { out, err, code }
}

test('inspect, merge, compress and decompress the tiny LoRA files with --json', async (t) => {
  const dir = await tempDir(t)
  const info = JSON.parse((await cli(['inspect', TINY_LORA_B, '--json'])).out) as { format: string, targets: number, dtype: string, ranks: number[] }
  assert.deepEqual([info.format, info.targets, info.dtype, info.ranks], ['gguf', 7, 'F16', [4]])
  const merged = join(dir, 'm.gguf')
  const m = await cli(['merge', TINY_LORA_A, TINY_LORA_B, '--method', 'linear', '--rank', '8', '-o', merged, '--json'])
  assert.equal(m.code, 0, m.err)
  const mr = JSON.parse(m.out) as { rank: number, retention: Array<{ cos: number }> }
  assert.equal(mr.rank, 8)
  assert.equal(mr.retention.length, 2)
  assert.equal((await readGgufLora(merged)).targets[0]?.rank, 8)
  const bd = join(dir, 'a.bdlt')
  const c = JSON.parse((await cli(['compress', TINY_LORA_A, '-o', bd, '--json'])).out) as { ratio: number, relError: number }
  assert.ok(c.ratio > 4 && c.relError > 0 && c.relError < 1, JSON.stringify(c))
  const back = join(dir, 'a-back.gguf')
  assert.equal((await cli(['decompress', bd, '-o', back, '--json'])).code, 0)
  assert.equal((await readGgufLora(back)).targets.length, 7)
})

test('convert a PEFT adapter to GGUF with a measured round trip', async (t) => {
  const src = sharedAdapter(t, 'gpt2-chess')
  if (src == null) return
  const dir = await tempDir(t)
  const r = await cli(['convert', src, '--to', 'gguf', '-o', join(dir, 'chess.gguf'), '--json'])
  assert.equal(r.code, 0, r.err)
  const j = JSON.parse(r.out) as { arch: string, targets: number, roundTripMaxAbsError: number }
  assert.deepEqual([j.arch, j.targets, j.roundTripMaxAbsError], ['gpt2', 12, 0])
  const cmp = await cli(['compare', src, join(dir, 'chess.gguf'), '--methods', 'linear', '--json'])
  assert.equal(cmp.code, 0, cmp.err)
  const rep = JSON.parse(cmp.out) as { verdict: string, pairs: Array<{ deltaCos: number }> }
  assert.equal(rep.verdict, 'merge')
  assert.ok(rep.pairs[0]!.deltaCos > 1 - 1e-9, 'the GGUF copy is the same update')
})

test('bad input exits 2 with a named error and leaves no output file', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'adapter_config.json'), JSON.stringify({ r: 2, lora_alpha: 4 }))
  const a = new Float32Array(6)
  a[2] = Infinity
  await writeFile(join(dir, 'adapter_model.safetensors'), encodeSafetensors([
    { name: 'm.q_proj.lora_A.weight', dtype: 'F32', shape: [2, 3], data: a },
    { name: 'm.q_proj.lora_B.weight', dtype: 'F32', shape: [4, 2], data: new Float32Array(8) }
  ]))
  const out = join(dir, 'out.bdlt')
  const r = await cli(['compress', dir, '-o', out, '--json'])
  assert.equal(r.code, 2)
  assert.match(r.err, /NonFiniteValueError/)
  assert.equal(existsSync(out), false)
  const r2 = await cli(['merge', TINY_LORA_A, TINY_LORA_B, '--method', 'ties', '--density', '2', '-o', join(dir, 'x.gguf')])
  assert.equal(r2.code, 2)
  assert.match(r2.err, /InvalidOptionError/)
  const r3 = await cli(['inspect', join(dir, 'missing')])
  assert.equal(r3.code, 3)
  const left = (await readdir(dir)).filter((f) => f !== 'adapter_config.json' && f !== 'adapter_model.safetensors')
  assert.deepEqual(left, [])
})
