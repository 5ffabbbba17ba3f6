import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { Command } from 'commander'
import { register } from '../../src/cli/commands/eval.ts'
import { readEvalResult } from '../../src/eval/index.ts'
import type { TestContext } from 'node:test'

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname
const FIXTURE = new URL('../fixtures/recall-eval/', import.meta.url).pathname
const tmp = mkdtempSync(join(tmpdir(), 'baobab-eval-cli-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })

/** Runs `baobab eval …` in this process, collecting what it prints; returns the exit code it set. */
async function evalCli (t: TestContext, args: string[]): Promise<{ code: number, out: string, err: string }> {
  const out: string[] = []
  const err: string[] = []
  t.mock.method(console, 'log', (...a: unknown[]) => { out.push(a.join(' ')) })
  t.mock.method(console, 'error', (...a: unknown[]) => { err.push(a.join(' ')) })
  const program = new Command('baobab').option('--home <dir>').exitOverride()
  register(program)
  const before = process.exitCode
  process.exitCode = undefined
  try {
    await program.parseAsync(['eval', ...args], { from: 'user' })
    return { code: Number(process.exitCode ?? 0), out: out.join('\n'), err: err.join('\n') }
  } finally {
    process.exitCode = before
    t.mock.restoreAll()
  }
}

describe('baobab eval', () => {
  it('recall without the data folder prints why it skipped and exits 0 (real binary, $BAOBAB_EVAL_DATA)', async () => {
    const missing = join(tmp, 'no-shared-here')
    const child = spawn(process.execPath, [main, 'eval', 'recall'], { env: { ...process.env, BAOBAB_EVAL_DATA: missing } })
    let out = ''
    child.stdout.on('data', (b: Buffer) => { out += b.toString() })
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    assert.equal(code, 0)
    assert.match(out, /eval recall: skipped: no evaluation data at .*no-shared-here/)
  })

  it('recall --json without data prints {skipped}', async (t) => {
    const r = await evalCli(t, ['recall', '--data', join(tmp, 'absent'), '--json'])
    assert.equal(r.code, 0)
    assert.match((JSON.parse(r.out) as { skipped: string }).skipped, /absent/)
  })

  it('router without the gossip data runs the rest, writes nothing and exits 0', async (t) => {
    const out = join(tmp, 'router-out')
    const r = await evalCli(t, ['router', '--data', join(tmp, 'absent'), '--out', out])
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /gossip-handshake part skipped/)
    assert.match(r.out, /# Router evaluation/)
    assert.ok(!existsSync(out))
  })

  it('recall on a data folder writes recall.json, recall.md and an eval-result file', async (t) => {
    const out = join(tmp, 'results')
    const outcome = join(tmp, 'recall-outcome.json')
    const r = await evalCli(t, ['recall', '--data', FIXTURE, '--out', out, '--outcome', outcome, '--json'])
    assert.equal(r.code, 0, r.err)
    const printed = JSON.parse(r.out) as { sets: Array<{ conditions: Array<{ id: string, overall: number }> }> }
    const saved = JSON.parse(readFileSync(join(out, 'recall.json'), 'utf8')) as typeof printed
    assert.deepEqual(saved.sets, printed.sets)
    assert.deepEqual(saved.sets[0]!.conditions.map(c => c.id), ['routed', 'pooled', 'none'])
    assert.match(readFileSync(join(out, 'recall.md'), 'utf8'), /## mini set: 6 questions, 2 domains/)
    const input = await readEvalResult(outcome)
    assert.equal(input.benchmark, 'keyword-recall')
    assert.equal(input.score, Math.round(printed.sets[0]!.conditions[0]!.overall * 100) / 1e4)
  })

  it('bad options are bad input (exit 2)', async (t) => {
    assert.equal((await evalCli(t, ['recall', '--data', FIXTURE, '--runtime', 'llama', '--no-write'])).code, 2)
    assert.equal((await evalCli(t, ['recall', '--data', FIXTURE, '--set', 'nope', '--no-write'])).code, 2)
    assert.equal((await evalCli(t, ['recall', '--data', FIXTURE, '--lora', 'synthetic', '--no-write'])).code, 2)
  })
})
