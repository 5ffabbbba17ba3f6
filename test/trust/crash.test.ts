/**
 * Crash safety: a child process admits artifacts through the trust pipeline and is killed with
 * SIGKILL at a random point; the library must open clean with nothing half-admitted, and
 * `recover()` must finish what was cut short. (bench/adversarial.ts runs 50 rounds.)
 */
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { crashRound } from './crash-round.ts'
import { tempDir } from './helpers.ts'

const homes: string[] = []
after(() => { for (const h of homes) rmSync(h, { recursive: true, force: true }) })

describe('SIGKILL during admission', () => {
  it('leaves a clean library, nothing half-admitted, and recovery completes (3 rounds)', async () => {
    const home = tempDir('baobab-trust-crash-')
    homes.push(home)
    let total = 0
    for (let round = 0; round < 3; round++) {
      const r = await crashRound(home, round + 1, 3 + Math.floor(Math.random() * 12))
      assert.deepEqual(r.problemsAfterKill, [], `round ${round}: after SIGKILL`)
      assert.deepEqual(r.problemsAfterRecovery, [], `round ${round}: after recovery`)
      assert.equal(r.quarantinedAfterRecovery, 0, 'open policy decides everything on recovery')
      total += r.admitted
    }
    assert.ok(total >= 9)
  })
})
