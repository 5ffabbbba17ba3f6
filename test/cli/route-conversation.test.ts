/** `baobab route --after … --json`: a follow-up routed on the conversation, and which turns decided. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const home = mkdtempSync(join(tmpdir(), 'baobab-route-conv-'))
after(() => { rmSync(home, { recursive: true, force: true }) })
const DRIVER = fileURLToPath(new URL('../router/cli-driver.ts', import.meta.url))
const data = (f: string): string => fileURLToPath(new URL(`../../data/communities/${f}.jsonl`, import.meta.url))

describe('baobab route --after', () => {
  it('routes a follow-up without domain words to the expert of the conversation; --json lists the deciding turns', async () => {
    const goats = 'My goats have been coughing and sneezing. What should I do?'
    const followUp = 'About a week, and one has a runny nose and is not eating much.'
    const lines = [
      ...[['veterinary', 'veterinary'], ['agronomy', 'agronomy'], ['irrigation', 'irrigation']].map(([f, d]) => ['adapter', 'add', '--name', `${f}-card`, '--domain', d!, '--exemplars', data(f!), '--license', 'CC0-1.0', '--json']),
      ['route', followUp, '--json'],
      ['route', '--after', goats, followUp, '--json'],
      ['route', '--after', goats, 'How deep should I plant maize seed?', '--json']
    ]
    const { stdout } = await run(process.execPath, [DRIVER, home, JSON.stringify(lines)], { maxBuffer: 16 * 1024 * 1024 })
    const [alone, followed, changed] = (JSON.parse(stdout) as Array<{ out: string, code: number }>).slice(3).map(r => {
      assert.equal(r.code, 0, r.out)
      return JSON.parse(r.out) as { choice: { domain: string } | null, turns: number[] }
    })
    assert.notEqual(alone!.choice?.domain, 'veterinary')
    assert.deepEqual(alone!.turns, [0])
    assert.equal(followed!.choice?.domain, 'veterinary')
    assert.deepEqual(followed!.turns, [1, 0])
    assert.equal(changed!.choice?.domain, 'agronomy')
    assert.deepEqual(changed!.turns, [1])
  })
})
