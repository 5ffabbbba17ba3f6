/**
 * The adversarial suite, short form (bench/adversarial.ts runs the long one): 10 real mesh nodes
 * on TCP loopback, 30% malicious, against the trust pipeline on the honest ones. See scenario.ts
 * for the attacks and for what is shared in-process.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { llamaRuntime } from '../../src/runtime/index.ts'
import { CANARY_PROBES_FAST, runScenario } from './scenario.ts'
import { TINY_MODEL } from '../trust/helpers.ts'
import { modelCanary } from '../../src/trust/index.ts'
import type { LlamaRuntime } from '../../src/runtime/index.ts'

let runtime: LlamaRuntime
before(() => { runtime = llamaRuntime({ modelPath: TINY_MODEL, contextSize: 256, poolSize: 2 }) })
after(async () => { await runtime.close() })

describe('adversarial suite (10 nodes, 30% malicious)', { timeout: 300_000 }, () => {
  it('accepts no poison, ≥ 95% of honest content, every refusal with a reason, state consistent', async () => {
    const r = await runScenario({
      nodes: 10,
      maliciousShare: 0.3,
      canaryNodes: 2,
      canary: modelCanary(runtime, { id: 'tiny-llama', probes: CANARY_PROBES_FAST }),
      sybilsPerAttacker: 2,
      floodAnnouncements: 150,
      malformedPerAttacker: 4,
      log: line => { console.log(`  ${line}`) }
    })
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
  })
})
