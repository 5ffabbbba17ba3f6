/**
 * The adversarial suite, short form (bench/adversarial.ts runs the long one): 10 product nodes
 * (`createNode`) on TCP loopback, 30% malicious; two honest nodes run the tiny GGUF as their
 * model. See scenario.ts for the attacks.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runScenario } from './scenario.ts'

// the cap allows for a loaded 2-core machine; the time it takes is reported by the bench, not asserted
describe('adversarial suite (10 nodes, 30% malicious)', { timeout: 900_000 }, () => {
  it('accepts no poison, ≥ 95% of honest content, every refusal with a reason, state consistent', async () => {
    const r = await runScenario({
      nodes: 10,
      maliciousShare: 0.3,
      canaryNodes: 2,
      sybilsPerAttacker: 2,
      floodAnnouncements: 150,
      malformedPerAttacker: 4,
      log: line => { console.log(`  ${line}`) }
    })
    console.log(`  sync path ${JSON.stringify(r.syncPath)}, CAR path ${JSON.stringify(r.carPath)}, web path ${JSON.stringify(r.webPath)}, local reproductions ${r.localReproductions}`)
    console.log(`  poisoned accepted ${r.poisonedAccepted}/${r.poisonedPublished * (r.nodes - r.malicious)}, honest accepted ${(100 * r.honestAcceptedRate).toFixed(1)}% (${r.honestAccepted}/${r.honestExpected}), ` +
      `converged in ${r.timeToConvergeMs} ms over ${r.syncRounds} sync rounds, flood ignored ${r.floodIgnoredByGuards}, sybil votes ${r.sybilVotes} (max weight ${r.maxSybilWeight}), ` +
      `trust traffic ${(100 * r.trustTrafficShare).toFixed(1)}% of honest bytes, malicious bytes absorbed ${r.maliciousBytesAbsorbed}`)
    assert.equal(r.maliciousShare, 0.3)
    assert.equal(r.poisonedAccepted, 0, JSON.stringify(r.poisonedAcceptedByKind))
    assert.ok(r.honestAcceptedRate >= 0.95, `honest accepted ${r.honestAcceptedRate}`)
    assert.equal(r.maxSybilWeight, 0)
    assert.equal(r.replayRefusedOrRevoked, r.nodes - r.malicious - 1)
    assert.ok(r.floodIgnoredByGuards > 0, 'the announcement flood hit the per-peer limit')
    assert.equal(r.malformedRefusedNamed, r.malformedSent)
    assert.ok(r.garbageStreams > 0)
    assert.equal(r.syncsAfterGarbage, r.nodes - r.malicious - 1)
    assert.equal(r.rejectionsWithoutReason, 0)
    assert.deepEqual(r.integrityProblems, [])
    assert.ok(r.attackerGossipScore < 0, `attackers' gossip P5 ${r.attackerGossipScore}`)
    assert.ok(r.localReproductions > 0, 'the canary nodes re-ran the recall evaluation on the inflated claims')
    assert.equal(r.syncPath?.accepted, 0, JSON.stringify(r.syncPath))
    assert.ok((r.syncPath?.offered ?? 0) >= 4)
    assert.equal(r.carPath?.accepted, 0, JSON.stringify(r.carPath))
    assert.equal(r.webPath?.accepted, 0, JSON.stringify(r.webPath))
    assert.ok((r.webPath?.requests ?? 0) > 0)
    assert.equal(r.webPath?.refused, r.webPath?.requests, 'every cross-site request was refused by the API')
    assert.ok((r.carPath?.outcomes['rejected:canary-repeat'] ?? 0) + (r.carPath?.outcomes['rejected:canary-collapse'] ?? 0) + (r.carPath?.outcomes['rejected:canary-kl'] ?? 0) > 0, 'the canary node ran its canary on the imported backdoor')
  })
})
