import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { decideExperience } from '../../src/learn/index.ts'
import type { ExperienceVote } from '../../src/learn/index.ts'

const rep = new Map([['alice', 0.9], ['bob', 0.8], ['carol', 0.8], ['mallory', 0.5]])
const sybils = (n: number, verdict: 1 | -1): ExperienceVote[] => Array.from({ length: n }, (_, i) => ({ voter: `sybil-${i}`, verdict }))

describe('decideExperience: robust acceptance', () => {
  it('accepts with reputable support, rejects with reputable opposition, waits otherwise', () => {
    const up = decideExperience([{ voter: 'alice', verdict: 1, score: 0.9 }, { voter: 'bob', verdict: 1, score: 0.8 }, { voter: 'carol', verdict: 1 }], rep)
    assert.equal(up.decision, 'accept')
    assert.ok(up.support >= 2 / 3)
    assert.equal(up.voters, 3)
    const down = decideExperience([{ voter: 'alice', verdict: -1 }, { voter: 'bob', verdict: -1 }, { voter: 'carol', verdict: 1 }], rep)
    assert.equal(down.decision, 'reject')
    assert.match(down.reason, /opposition/)
    const few = decideExperience([{ voter: 'alice', verdict: 1 }], rep)
    assert.equal(few.decision, 'pending', 'one voter is below the quorum')
    assert.ok(Math.abs(few.voterWeight - 0.45) < 1e-9)
    const low = decideExperience([{ voter: 'alice', verdict: 1, score: 0.5 }, { voter: 'bob', verdict: 1, score: 0.5 }, { voter: 'carol', verdict: 1, score: 0.6 }], rep)
    assert.equal(low.decision, 'pending', 'lukewarm confidence is not acceptance')
  })

  it('one voice per key: repeated votes by a key count once, the latest wins', () => {
    const flood = Array.from({ length: 100 }, (_, i) => ({ voter: 'mallory', verdict: 1 as const, created: i }))
    const d = decideExperience([...flood, { voter: 'alice', verdict: -1 }, { voter: 'bob', verdict: -1 }], rep)
    assert.equal(d.voters, 3)
    assert.equal(d.duplicates, 99)
    assert.equal(d.decision, 'reject')
    const changed = decideExperience([{ voter: 'alice', verdict: -1, created: 1 }, { voter: 'alice', verdict: 1, created: 2 }, { voter: 'bob', verdict: 1, created: 1 }, { voter: 'carol', verdict: 1 }], rep)
    assert.equal(changed.decision, 'accept')
  })

  it('sybils: a thousand fresh keys weigh less than one reputable voter', () => {
    const junk = decideExperience([{ voter: 'mallory', verdict: 1 }, ...sybils(1000, 1)], rep)
    assert.notEqual(junk.decision, 'accept')
    assert.ok(junk.totalWeight <= 0.5 + 0.25 + 1e-9)
    const smear = decideExperience([{ voter: 'alice', verdict: 1 }, { voter: 'bob', verdict: 1 }, { voter: 'carol', verdict: 1 }, { voter: 'mallory', verdict: -1 }, ...sybils(1000, -1)], rep)
    assert.equal(smear.decision, 'accept')
  })

  it('the node\'s own canary counts most; its "no" vetoes', () => {
    assert.equal(decideExperience([], rep, { verdict: 1, score: 0.9 }).decision, 'accept')
    assert.equal(decideExperience([{ voter: 'alice', verdict: 1 }, { voter: 'bob', verdict: 1 }, { voter: 'carol', verdict: 1 }], rep, { verdict: -1 }).decision, 'reject')
    // own vote inside the list is replaced by the explicit own verdict
    const d = decideExperience([{ voter: 'me', verdict: 1 }], rep, { verdict: -1 }, { self: 'me' })
    assert.equal(d.decision, 'reject')
    assert.equal(d.voters, 1)
  })

  it('properties: sybil floods never flip a reputable majority; adding support never causes rejection', () => {
    const verdict = fc.constantFrom<1 | -1>(1, -1)
    fc.assert(fc.property(fc.integer({ min: 0, max: 2000 }), verdict, fc.array(fc.record({ voter: fc.constantFrom('alice', 'bob', 'carol'), verdict, score: fc.double({ min: 0, max: 1, noNaN: true }) }), { maxLength: 6 }), (n, sv, honest) => {
      const withoutSybils = decideExperience(honest, rep)
      const withSybils = decideExperience([...honest, ...sybils(n, sv)], rep)
      // the whole sybil army weighs at most the newcomer cap
      assert.ok(withSybils.totalWeight - withoutSybils.totalWeight <= 0.25 + 1e-9)
      if (withoutSybils.decision === 'reject' && withoutSybils.opposition === 1 && withoutSybils.voterWeight === 1) assert.notEqual(withSybils.decision, 'accept')
      const more = decideExperience([...honest, { voter: 'dave', verdict: 1, score: 1 }], new Map([...rep, ['dave', 1]]))
      if (withoutSybils.decision === 'accept') assert.equal(more.decision, 'accept')
    }), { numRuns: 300 })
  })
})
