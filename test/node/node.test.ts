import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { createNode } from '../../src/node/index.ts'
import { COMMUNITIES, addCommunityCard } from '../helpers/community-experts.ts'

const home = mkdtempSync(join(tmpdir(), 'baobab-node-'))
after(() => { rmSync(home, { recursive: true, force: true }) })

describe('node: route and answer', () => {
  it('routes community questions to the right expert, abstains out of domain, answers with retrieval', async () => {
    const node = await createNode({ home, config: structuredClone(DEFAULT_CONFIG), mesh: false })
    try {
      for (const d of COMMUNITIES) await addCommunityCard(node.library, node.identity.privateKey, d)
      await node.start()
      assert.equal(node.experts().length, 5)
      const questions: Array<[string, string | null]> = [
        ['my maize leaves turn yellow from the tips, what is missing?', 'agronomy'],
        ['a young calf has runny dung and looks weak, what do I do first', 'veterinary'],
        ['how many millimetres of water do tomatoes need every week', 'irrigation'],
        ['my ground is too acidic, how do I fix it before sowing', 'soil science'],
        ['fish are gulping air at the top of the pond at sunrise', 'aquaculture'],
        ['what is the offside rule in football', null]
      ]
      for (const [q, domain] of questions) {
        const a = await node.ask([{ role: 'user', content: q }])
        assert.equal(a.expert?.domain ?? null, domain, `"${q}" → ${a.expert?.domain ?? 'abstain'} (${a.decision.reason})`)
        assert.equal(a.result.retrieved === true, domain != null)
        if (domain != null) assert.ok(a.result.text.length > 20)
      }
      const forced = await node.ask([{ role: 'user', content: 'anything' }], { expert: 'aquaculture-card' })
      assert.equal(forced.expert?.name, 'aquaculture-card')
      await assert.rejects(node.ask([{ role: 'user', content: 'x' }], { expert: 'nope' }), { name: 'ExpertNotFoundError' })
      await assert.rejects(node.ask([{ role: 'assistant', content: 'x' }]), { name: 'InvalidQuestionError' })
    } finally {
      await node.stop()
    }
  })
})

describe('node: mesh wiring', () => {
  it('gossip runs with the trust layer\'s scoring and limits, and stops cleanly', async () => {
    const config = { ...structuredClone(DEFAULT_CONFIG), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false }
    const node = await createNode({ home: join(home, 'mesh'), config })
    try {
      await node.start()
      // the implementation's options (not part of the exported GossipSub interface)
      const pubsub = node.mesh!.libp2p.services.pubsub as unknown as { opts: { scoreThresholds: { graylistThreshold: number }, allowedTopics?: Iterable<string> }, topicValidators: Map<string, unknown> }
      assert.equal(pubsub.opts.scoreThresholds.graylistThreshold, -80)
      assert.deepEqual([...pubsub.opts.allowedTopics ?? []], ['/baobab/default/announce/1'])
      assert.ok(pubsub.topicValidators.has('/baobab/default/announce/1'))
    } finally {
      await node.stop()
    }
  })
})
