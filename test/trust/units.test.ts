/** Rate limiter, reputation arithmetic, gossipsub scoring parameters, ΔW norms from factors. */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { gossipsub } from '@libp2p/gossipsub'
import { validatePeerScoreParams, validatePeerScoreThresholds } from '@libp2p/gossipsub/score'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import fc from 'fast-check'
import { createLibp2p } from 'libp2p'
import { Matrix, SingularValueDecomposition } from 'ml-matrix'
import { denseDelta } from '../../src/adapters/index.ts'
import { RateLimiter } from '../../src/trust/rate-limiter.ts'
import { Reputation, scoreOf } from '../../src/trust/reputation.ts'
import { decayFor, gossipScoring } from '../../src/trust/gossip-score.ts'
import { targetKind, targetNorms } from '../../src/trust/norms.ts'
import { key, peerOf, tempLibrary } from './helpers.ts'
import type { TestLibrary } from './helpers.ts'

const libs: TestLibrary[] = []
after(() => { for (const l of libs) l.close() })

describe('RateLimiter', () => {
  it('refills at the configured rate, refuses beyond the burst, reports violations, and keeps peers apart', () => {
    let now = 0
    const violations: string[] = []
    const rl = new RateLimiter({ now: () => now, limits: { announce: { rate: 2, burst: 4 } }, onViolation: (p, a) => violations.push(`${p}:${a}`) })
    const takes = Array.from({ length: 6 }, () => rl.tryTake('a', 'announce'))
    assert.deepEqual(takes, [true, true, true, true, false, false])
    assert.equal(rl.tryTake('b', 'announce'), true)
    assert.equal(Math.round(rl.retryAfter('a', 'announce')), 500)
    now += 500
    assert.equal(rl.tryTake('a', 'announce'), true)
    assert.equal(rl.tryTake('a', 'announce'), false)
    assert.throws(() => { rl.take('a', 'announce') }, { name: 'PeerRateLimitedError' })
    assert.deepEqual(violations, ['a:announce', 'a:announce', 'a:announce', 'a:announce'])
    assert.deepEqual({ a: rl.stats().allowed.announce, r: rl.stats().refused.announce }, { a: 6, r: 4 })
  })

  it('bounds memory: never tracks more than maxPeers', () => {
    let now = 0
    const rl = new RateLimiter({ now: () => now, maxPeers: 50 })
    for (let i = 0; i < 10_000; i++) {
      rl.tryTake(`peer-${i}`, 'admit')
      now += 1
    }
    assert.ok(rl.stats().peers <= 50)
  })

  it('exempts allow-listed peers and rejects bad limits', () => {
    const rl = new RateLimiter({ limits: { admit: { rate: 1, burst: 1 } }, exempt: p => p === 'friend' })
    for (let i = 0; i < 10; i++) assert.equal(rl.tryTake('friend', 'admit'), true)
    assert.throws(() => new RateLimiter({ limits: { admit: { rate: 0, burst: 1 } } }), { name: 'InvalidTrustConfigError' })
  })

  it('never lets more than burst + rate·t through (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 200 }), gaps => {
      let now = 0
      const rl = new RateLimiter({ now: () => now, limits: { admit: { rate: 1, burst: 10 } } })
      let allowed = 0
      for (const g of gaps) { now += g; if (rl.tryTake('p', 'admit')) allowed++ }
      return allowed <= 10 + now / 1000 + 1e-9
    }), { numRuns: 200 })
  })
})

describe('Reputation', () => {
  it('strangers and sybils weigh 0; agreement earns weight; one bad event costs three good ones', async () => {
    const lib = tempLibrary()
    libs.push(lib)
    const rep = new Reputation(lib.library.db)
    assert.equal(rep.weight('nobody'), 0)
    assert.equal(rep.score('nobody'), 0.5)
    for (let i = 0; i < 6; i++) rep.record('good', 'agree')
    assert.ok(rep.weight('good') > 0.6)
    rep.record('mixed', 'agree', 3)
    rep.record('mixed', 'disagree', 1)
    assert.ok(Math.abs(rep.score('mixed') - 0.5) < 1e-9)
    assert.equal(rep.weight('mixed'), 0)
    assert.deepEqual(scoreOf({ list: 'allow', accepted: 0, rejected: 9, agree: 0, disagree: 0, violations: 0 }), { score: 1, weight: 1 })
    const p = peerOf(await key())
    rep.setList(p, 'deny')
    assert.equal(rep.gossipScore(p), -1000)
    for (let i = 0; i < 5; i++) rep.record('spammer', 'rejected')
    assert.ok(rep.gossipScore('spammer') < -10, `spammer P5 ${rep.gossipScore('spammer')} must be under the gossip threshold`)
    assert.equal(rep.all()[0]?.peer, 'good')
    assert.equal(rep.all().at(-1)?.peer, p)
  })
})

describe('gossip scoring', () => {
  it('passes gossipsub validation, maps reputation to P5 and orders thresholds', () => {
    const s = gossipScoring({ topics: ['/baobab/test/announce/1'], appScore: p => (p === 'bad' ? -1000 : p === 'nan' ? Number.NaN : 3) })
    validatePeerScoreParams(s.scoreParams)
    validatePeerScoreThresholds(s.scoreThresholds)
    const t = s.scoreThresholds
    assert.ok(t.graylistThreshold < t.publishThreshold && t.publishThreshold < t.gossipThreshold && t.gossipThreshold < 0)
    assert.ok(s.scoreParams.appSpecificScore('bad') * s.scoreParams.appSpecificWeight < t.graylistThreshold)
    assert.equal(s.scoreParams.appSpecificScore('nan'), -1000)
    const topic = s.scoreParams.topics['/baobab/test/announce/1']!
    assert.ok(topic.invalidMessageDeliveriesWeight * 2 ** 2 < t.graylistThreshold, 'two invalid messages graylist a peer')
    assert.ok(topic.invalidMessageDeliveriesWeight > t.publishThreshold - 1, 'one invalid message: publish threshold, not graylist')
    assert.equal(topic.meshMessageDeliveriesWeight, 0)
    assert.ok(Math.abs(Math.pow(decayFor(600), 600) - 0.5) < 1e-9)
    assert.deepEqual(s.allowedTopics, ['/baobab/test/announce/1'])
    assert.ok(s.scoreParams.IPColocationFactorWhitelist.has('127.0.0.1'))
  })

  it('a real gossipsub node starts with these parameters', async () => {
    const s = gossipScoring({ topics: ['/baobab/t/announce/1'] })
    const node = await createLibp2p({
      privateKey: await key(),
      addresses: { listen: [`/memory/trust-gossip-${process.pid}`] },
      transports: [memory()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub({ scoreParams: s.scoreParams, scoreThresholds: s.scoreThresholds, allowedTopics: s.allowedTopics }) }
    })
    node.services.pubsub.subscribe('/baobab/t/announce/1')
    assert.deepEqual(node.services.pubsub.getTopics(), ['/baobab/t/announce/1'])
    await node.stop()
  })
})

describe('ΔW norms from LoRA factors', () => {
  it('match the singular values of the dense ΔW (property over random shapes)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 24 }), fc.integer({ min: 2, max: 24 }), fc.integer({ min: 1, max: 2 ** 30 }), (r, nIn, nOut, seed) => {
      let s = seed
      const rnd = (): number => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 30 - 1 }
      const a = { rows: r, cols: nIn, data: Float32Array.from({ length: r * nIn }, rnd) }
      const b = { rows: nOut, cols: r, data: Float32Array.from({ length: nOut * r }, rnd) }
      const t = { name: 'blk.3.attn_q.weight', a, b, rank: r, alpha: 2 * r, scale: 2 }
      const n = targetNorms(t)
      const d = denseDelta(b, a, 2)
      const m = new Matrix(d.rows, d.cols)
      for (let i = 0; i < d.rows; i++) for (let j = 0; j < d.cols; j++) m.set(i, j, d.data[i * d.cols + j] as number)
      const sv = new SingularValueDecomposition(m, { autoTranspose: true }).diagonal
      const fro = Math.sqrt(sv.reduce((x, v) => x + v * v, 0))
      const spec = Math.max(...sv)
      assert.ok(Math.abs(n.frobenius - fro) <= 1e-4 * Math.max(1, fro), `fro ${n.frobenius} vs ${fro}`)
      assert.ok(Math.abs(n.spectral - spec) <= 1e-3 * Math.max(1, spec), `spec ${n.spectral} vs ${spec}`)
      assert.equal(n.kind, 'attn_q')
    }), { numRuns: 60 })
  })

  it('names target kinds across frames', () => {
    assert.equal(targetKind('blk.12.ffn_down.weight'), 'ffn_down')
    assert.equal(targetKind('base_model.model.model.layers.3.self_attn.v_proj'), 'attn_v')
    assert.equal(targetKind('transformer.h.0.attn.c_attn'), 'attn_qkv')
  })
})
