/**
 * Adapter admission end to end on real parts: a real SQLite library, real signatures, the tiny
 * random llama GGUF loaded by node-llama-cpp for the canary, MIT LoRA files and poisoned
 * variants of them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { llamaRuntime } from '../../src/runtime/index.ts'
import { createTrust, modelCanary } from '../../src/trust/index.ts'
import {
  TINY_MODEL, adapterArtifact, backdoor, ggufBytes, key, loraA, loraB, peerOf, perturbed, receiveChunks, scaled, tempLibrary, withNaN,
  wrongShape
} from './helpers.ts'
import type { LlamaRuntime } from '../../src/runtime/index.ts'
import type { AdapterCanary } from '../../src/trust/index.ts'
import type { TestLibrary } from './helpers.ts'

let runtime: LlamaRuntime
let canary: AdapterCanary
const libs: TestLibrary[] = []

before(async () => {
  runtime = llamaRuntime({ modelPath: TINY_MODEL, contextSize: 256, poolSize: 2 })
  canary = modelCanary(runtime, { id: 'llama-2-tiny-random' })
})
after(async () => {
  for (const l of libs) l.close()
  await runtime.close()
})

function lib (): TestLibrary {
  const l = tempLibrary()
  libs.push(l)
  return l
}

describe('adapter admission with screens and canary', () => {
  it('trusts the honest MIT LoRAs, signs an own +1 vote and records the canary in the reason', async () => {
    const { library } = lib()
    const me = await key()
    const author = await key()
    const trust = createTrust({ library, privateKey: me, canary }, { policy: 'community', base: { family: 'llama' } })
    for (const ad of [await loraA(), await loraB()]) {
      const bundle = await adapterArtifact(author, ggufBytes(ad))
      receiveChunks(library, bundle)
      const r = await trust.admission.admitVerified(bundle.artifact, { source: { type: 'peer', peer: 'peerX' } })
      assert.equal(r.status, 'trusted', r.reason ?? '')
      assert.match(r.reason ?? '', /canary passed/)
      const votes = library.list({ kind: 'vote', author: trust.self })
      assert.ok(votes.some(v => String((v.envelope.body as { target: unknown }).target) === r.cid && (v.envelope.body as { verdict: number }).verdict === 1))
    }
    assert.equal(trust.reputation.get(peerOf(author))?.accepted, 2)
  })

  it('rejects huge norms, NaN, wrong shapes and a backdoor, each with its reason', async () => {
    const { library } = lib()
    const me = await key()
    const bad = await key()
    const trust = createTrust({ library, privateKey: me, canary }, { policy: 'community', base: { family: 'llama' } })
    const a = await loraA()
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['huge norms', ggufBytes(scaled(a, 50)), /spectral norm [\d.e+]+ > bound/],
      ['NaN', ggufBytes(withNaN(a)), /NonFiniteValueError/],
      ['wrong shape', ggufBytes(wrongShape(a)), /refused the adapter|shape/i],
      ['backdoor', ggufBytes(await backdoor(a)), /canary: repeated-token collapse|canary: output no longer depends/]
    ]
    for (const [name, weights, reason] of cases) {
      const bundle = await adapterArtifact(bad, weights, { name })
      receiveChunks(library, bundle)
      const r = await trust.admission.admitVerified(bundle.artifact, { source: { type: 'peer', peer: 'peerY' } })
      assert.equal(r.status, 'rejected', `${name}: ${r.reason}`)
      assert.match(r.reason ?? '', reason, name)
      assert.equal(library.get(r.cid)?.reason, r.reason, 'the library keeps the reason')
    }
    const rep = trust.reputation.get(peerOf(bad))
    assert.ok(rep != null && rep.rejected === 4 && rep.score < 0.2, `reputation after 4 rejections: ${JSON.stringify(rep)}`)
  })

  it('learns norm bounds and shapes from trusted adapters of the same base', async () => {
    const { library } = lib()
    const me = await key()
    const author = await key()
    const trust = createTrust({ library, privateKey: me, canary }, { policy: 'open', base: { family: 'llama' } })
    const a = await loraA()
    for (let i = 0; i < 3; i++) {
      const bundle = await adapterArtifact(author, ggufBytes(perturbed(a, i + 1)), { name: `honest-${i}` })
      receiveChunks(library, bundle)
      assert.equal((await trust.admission.admitVerified(bundle.artifact, { source: { type: 'local' } })).status, 'trusted')
    }
    // ×5 (spectral ≈ 140) is over the default bound of 100 but within 10× the learned median (≈ 28)
    const mild = await adapterArtifact(author, ggufBytes(scaled(a, 5)), { name: 'mild' })
    receiveChunks(library, mild)
    const r1 = await trust.admission.admitVerified(mild.artifact, { source: { type: 'local' } })
    assert.equal(r1.status, 'trusted', r1.reason ?? '')
    const loud = await adapterArtifact(author, ggufBytes(scaled(a, 12)), { name: 'loud' })
    receiveChunks(library, loud)
    const r2 = await trust.admission.admitVerified(loud.artifact, { source: { type: 'local' } })
    assert.equal(r2.status, 'rejected')
    assert.match(r2.reason ?? '', /learned from \d+ trusted llama\/llama-2-tiny-random adapters/)
  })

  it('refuses an adapter for another base family before storing it', async () => {
    const { library } = lib()
    const trust = createTrust({ library, privateKey: await key(), canary }, { base: { family: 'llama' } })
    const bundle = await adapterArtifact(await key(), ggufBytes(await loraA()), { base: { family: 'qwen2', model: 'qwen2.5-0.5b' } })
    receiveChunks(library, bundle)
    const r = await trust.admission.admitVerified(bundle.artifact, { source: { type: 'peer', peer: 'p' } })
    assert.equal(r.refused, 'compatibility')
    assert.equal(library.has(r.cid), false)
    assert.equal(library.blobs.has(String(bundle.artifact.envelope.body.chunks[0])), false, 'orphan chunk removed')
    assert.match(trust.refusals(1)[0]?.reason ?? '', /base family qwen2/)
  })

  it('keeps weight adapters quarantined without a local model until reputable peers vote', async () => {
    const { library } = lib()
    const me = await key()
    const trust = createTrust({ library, privateKey: me }, { policy: 'community' })
    const bundle = await adapterArtifact(await key(), ggufBytes(await loraA()))
    receiveChunks(library, bundle)
    const r = await trust.admission.admitVerified(bundle.artifact, { source: { type: 'peer', peer: 'p' } })
    assert.equal(r.status, 'quarantined')
    assert.match(r.reason ?? '', /held: no local model to run the canary; allow-list the author or wait for votes/)
    assert.equal(trust.quarantined()[0]?.code, 'awaiting-votes')
  })
})
