import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { exactKey } from '../../src/outcomes/index.ts'
import { NearFingerprinter, exactFingerprint, isOutcomeKey } from '../../src/outcomes/fingerprint.ts'
import { conceptTokens, contextText } from '../../src/outcomes/context-text.ts'
import { cosine, hashEmbedder } from '../../src/embedding/index.ts'

const clinical = { family: 'qwen2.5-0.5b', task: 'clinical note summarisation', tags: ['medical', 'english'] }

describe('fingerprints', () => {
  it('exact: first 16 bytes of sha256(family|task|sorted tags), stable under case, spaces and tag order', () => {
    const expected = createHash('sha256').update('qwen2.5-0.5b|clinical note summarisation|english,medical').digest().subarray(0, 16)
    assert.deepEqual(Buffer.from(exactFingerprint(clinical)), expected)
    const variant = { family: ' Qwen2.5-0.5B ', task: 'Clinical   note summarisation', tags: ['English', 'medical', 'MEDICAL '] }
    assert.equal(exactKey(variant), exactKey(clinical))
    assert.equal(exactKey(clinical), `/baobab-outcome/${expected.toString('hex')}`)
    assert.ok(isOutcomeKey(exactKey(clinical)))
    assert.notEqual(exactKey({ ...clinical, task: 'clinical note summarization' }), exactKey(clinical))
    assert.notEqual(exactKey({ ...clinical, tags: ['medical'] }), exactKey(clinical))
    assert.notEqual(exactKey({ ...clinical, family: 'llama-3-8b' }), exactKey(clinical))
  })

  it('context text folds wording: doctor\'s notes ≈ clinical notes, summarising ≈ summarisation', () => {
    assert.deepEqual(conceptTokens("summarising doctor's notes"), ['summar', 'clinical', 'note'])
    assert.deepEqual(conceptTokens('Clinical Note Summarization'), ['clinical', 'note', 'summar'])
    assert.equal(contextText('clinical note summarisation', ['medical']), 'clinical note summar clinical')
  })

  it('near: band keys are deterministic and meet for similar contexts', async () => {
    const emb = hashEmbedder()
    const a = new NearFingerprinter(emb)
    const b = new NearFingerprinter(hashEmbedder())
    const similar = { family: 'qwen2.5-0.5b', task: "summarising doctor's notes", tags: ['medical'] }
    const related = { family: 'qwen2.5-0.5b', task: 'summaries of physician notes', tags: ['healthcare', 'english'] }
    const unrelated = { family: 'qwen2.5-0.5b', task: 'legal contract translation', tags: ['german'] }
    const [sa, ss, sr, su] = await a.signatures([clinical, similar, related, unrelated])
    const [sa2] = await b.signatures([clinical])
    assert.deepEqual(sa!.keys, sa2!.keys, 'another instance computes the same band keys')
    assert.equal(sa!.keys.length, 10)
    assert.equal(sa!.bits.length, 50)
    assert.ok(sa!.keys.every(isOutcomeKey))
    const shared = (x: string[], y: string[]): number => x.filter(k => y.includes(k)).length
    assert.ok(cosine(sa!.embedding, ss!.embedding) > 0.9)
    assert.ok(shared(sa!.keys, ss!.keys) >= 1, 'doctor\'s notes meets clinical notes')
    assert.ok(shared(sa!.keys, sr!.keys) >= 1, 'physician notes meets clinical notes')
    // an unrelated context may still share a band (≈ 27% with 10 bands of 5 bits): the querier
    // drops it because the similarity it computes locally is far below the threshold
    assert.ok(cosine(sa!.embedding, su!.embedding) < 0.2)
    // another family never shares band keys
    const [other] = await a.signatures([{ ...clinical, family: 'llama-3-8b' }])
    assert.equal(shared(sa!.keys, other!.keys), 0)
    assert.deepEqual(other!.bits, sa!.bits)
  })

  it('near: the collision rate follows SimHash theory on random vectors', () => {
    // P(band match) = (1 − θ/π)^rows; check over many random pairs at a fixed angle
    const dims = 256
    const fp = new NearFingerprinter({ id: 't', dims, specificationVersion: 'v1', provider: 't', modelId: 't', doEmbed: async () => ({ embeddings: [] }) })
    let seed = 7
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 - 0.5 }
    let agree = 0
    let total = 0
    for (let t = 0; t < 200; t++) {
      const x = Float32Array.from({ length: dims }, rnd)
      const noise = Float32Array.from({ length: dims }, rnd)
      const y = x.map((v, i) => v + 0.75 * noise[i]!)
      const bx = fp.bitsOf(x)
      const by = fp.bitsOf(y)
      agree += bx.filter((b, i) => b === by[i]).length
      total += bx.length
    }
    // cos ≈ 1/√(1+0.5625) = 0.8 → θ ≈ 0.6435 → expected bit agreement 1 − θ/π ≈ 0.795
    const rate = agree / total
    assert.ok(rate > 0.76 && rate < 0.83, `bit agreement ${rate}`)
  })
})
