/**
 * The checks a node built by `createNode` runs on what peers send: with the tiny GGUF as its
 * llama model it runs the adapter canary (real model load, real LoRA files) and the canary's
 * result is the decision; with the retrieval runtime it has no model, holds adapters with
 * weights and says why. `trust status` reports which checks the node can run.
 */
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { createNode } from '../../src/node/index.ts'
import { RECALL_BENCHMARK, RECALL_TASK } from '../../src/eval/index.ts'
import { RECALL_SET, writeRecallData } from '../helpers/recall-data.ts'
import { TINY_MODEL, adapterArtifact, backdoor, experienceBody, ggufBytes, key, loraA, outcomeBody, peerOf, receiveChunks, sign, tempDir } from '../trust/helpers.ts'
import type { NodeConfig } from '../../src/config.ts'

const homes: string[] = []
after(() => { for (const h of homes) rmSync(h, { recursive: true, force: true }) })

function config (runtime: NodeConfig['runtime']): NodeConfig {
  return { ...structuredClone(DEFAULT_CONFIG), listen: [], mdns: false, runtime }
}

function home (): string {
  const h = tempDir('baobab-checks-')
  homes.push(h)
  return h
}

describe('createNode wires the checks its runtime can run', { timeout: 180_000 }, () => {
  it('a llama node runs the canary on an incoming adapter and its result decides', async () => {
    const node = await createNode({ home: home(), config: config({ kind: 'llama', model: TINY_MODEL, contextSize: 256, poolSize: 2 }), mesh: false })
    try {
      await node.start()
      const checks = node.trust.status().checks
      assert.equal(checks.canary.available, true)
      assert.match(checks.canary.detail, /^llama:/)
      assert.equal(checks.experience.available, false)
      assert.match(checks.experience.detail, /checks\.tasks/)
      assert.equal(checks.reproduction.available, false)
      assert.match(checks.reproduction.detail, /checks\.evalData/)

      const author = await key()
      const honest = await adapterArtifact(author, ggufBytes(await loraA()), { name: 'honest' })
      receiveChunks(node.library, honest)
      const r = await node.trust.admission.admit(honest.artifact.bytes, { source: { type: 'peer', peer: peerOf(author) } })
      assert.equal(r.status, 'trusted', r.reason ?? '')
      const d = node.trust.decision(r.cid)
      assert.equal(d?.code, 'canary-pass')
      assert.equal(d?.decidedBy, 'local')
      assert.match(d?.reason ?? '', /canary passed on \d+ probes: mean KL/)
      assert.ok(d?.voteCid != null, 'the node signed its own vote from the canary')

      const poisoned = await adapterArtifact(author, ggufBytes(await backdoor(await loraA())), { name: 'backdoor' })
      receiveChunks(node.library, poisoned)
      const p = await node.trust.admission.admit(poisoned.artifact.bytes, { source: { type: 'peer', peer: peerOf(author) } })
      assert.equal(p.status, 'rejected')
      assert.match(node.trust.decision(p.cid)?.code ?? '', /^canary-(repeat|collapse|kl)$/)
      assert.match(p.reason ?? '', /^canary: /)
    } finally {
      await node.stop()
    }
  })

  it('a retrieval node holds adapters with weights and says it has no model for the canary', async () => {
    const node = await createNode({ home: home(), config: config({ kind: 'retrieval' }), mesh: false })
    try {
      await node.start()
      const checks = node.trust.status().checks
      assert.deepEqual([checks.canary.available, checks.experience.available, checks.reproduction.available], [false, false, false])
      assert.match(checks.canary.detail, /no local model to run the canary/)
      const author = await key()
      const bundle = await adapterArtifact(author, ggufBytes(await loraA()))
      receiveChunks(node.library, bundle)
      const r = await node.trust.admission.admit(bundle.artifact.bytes, { source: { type: 'peer', peer: peerOf(author) } })
      assert.equal(r.status, 'quarantined')
      assert.match(r.reason ?? '', /^held: no local model to run the canary \(the runtime is retrieval, not a model\); allow-list the author or wait for votes/)
      assert.equal(node.trust.decision(r.cid)?.code, 'awaiting-votes')
    } finally {
      await node.stop()
    }
  })

  it('with a task set and evaluation data it runs the experience A/B check and reproduces outcome claims', async () => {
    const dir = home()
    const tasks = join(dir, 'tasks.jsonl')
    writeFileSync(tasks, [{ id: 't1', question: 'What is 12 + 30?', answer: '42', split: 'test' }, { id: 't2', question: 'What is 7 + 8?', answer: '15', split: 'test' }].map(t => JSON.stringify(t)).join('\n') + '\n')
    const cfg = { ...config({ kind: 'llama', model: TINY_MODEL, contextSize: 256, poolSize: 2 }), checks: { tasks, grader: 'exact', evalData: writeRecallData(dir) } }
    const node = await createNode({ home: join(dir, 'node'), config: cfg, mesh: false })
    try {
      await node.start()
      const checks = node.trust.status().checks
      assert.equal(checks.experience.available, true, checks.experience.detail)
      assert.equal(checks.reproduction.available, true, checks.reproduction.detail)
      const author = await key()
      const lesson = await sign('experience', experienceBody('When a calf has scours, give oral rehydration salts first because dehydration kills faster than the infection.'), author)
      const e = await node.trust.admission.admit(lesson.bytes, { source: { type: 'peer', peer: peerOf(author) } })
      assert.equal(e.status, 'trusted', e.reason ?? '')
      assert.match(e.reason ?? '', /A\/B check: no harm measured: reward .* on 2 local task\(s\)/)

      // the recall evaluation on this data measures Δ ≈ 0.23 for routing (retrieval): a claim of 0.5 fails to reproduce (it keeps less than half)
      const inflated = await sign('outcome', outcomeBody({ family: 'retrieval', task: RECALL_TASK, benchmark: RECALL_BENCHMARK, tags: ['agriculture', RECALL_SET], method: 'routing', baseline: 0, score: 0.5, dataScale: 'xs', heldOut: false, nEval: 6, confidence: 0.3, params: { experts: 2 } }), author)
      const o = await node.trust.admission.admit(inflated.bytes, { source: { type: 'peer', peer: peerOf(author) } })
      assert.equal(o.status, 'rejected', o.reason ?? '')
      assert.match(o.reason ?? '', /reproduction/)
      const mine = node.library.list({ kind: 'reproduction', author: node.peerId })
      assert.equal(mine.length, 1, 'the node signed its own reproduction')
      const measured = (mine[0]!.envelope.body as { measuredDelta: number }).measuredDelta
      assert.ok(measured > 0.15 && measured < 0.3, `measured Δ ${measured}`)
    } finally {
      await node.stop()
    }
  })
})
