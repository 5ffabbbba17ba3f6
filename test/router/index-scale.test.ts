import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { describe, it } from 'node:test'
import { tfidfRouter } from '../../src/eval/index.ts'
import { Router } from '../../src/router/index.ts'
import { EmbeddingCache, hashEmbedder, pack, unpack } from '../../src/embedding/index.ts'
import { decodePacked, encodePacked } from '../../src/embedding/vectors.ts'
import type { Embedder } from '../../src/embedding/index.ts'
import type { ExpertInput } from '../../src/router/index.ts'

/** Synthetic experts: each has its own made-up vocabulary plus shared filler words. */
function synthetic (n: number, perExpert = 6): ExpertInput[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `x${i}`,
    name: `expert-${i}`,
    domain: `d${i}`,
    exemplars: Array.from({ length: perExpert }, (_, j) => ({
      q: `How do I handle zork${i} with blim${i} in season ${j}?`,
      a: `Treat zork${i} early; blim${i} needs quax${i} and water ${j} times.`
    }))
  }))
}

describe('index at scale', () => {
  it('prefilters by folded centroid and still finds the right expert among 200', async () => {
    const router = new Router({ calibration: { maxQueries: 200 } })
    await router.setExperts(synthetic(200, 4))
    for (const i of [0, 17, 150, 199]) {
      const d = await router.route(`what should I do about zork${i} and quax${i}?`)
      assert.equal(d.choice?.id, `x${i}`, d.reason)
      assert.ok(d.scores.length <= 33, 'only prefilter candidates are scored')
    }
  })
})

describe('vectors and cache', () => {
  it('packs, encodes and decodes sparse and dense vectors', () => {
    const sparse = new Float32Array(1000); sparse[3] = 0.5; sparse[999] = -0.25
    const dense = Float32Array.from({ length: 8 }, (_, i) => i + 1)
    for (const v of [sparse, dense]) {
      const p = pack(v)
      assert.deepEqual(unpack(decodePacked(encodePacked(p))!), v)
    }
    assert.equal(pack(sparse).idx?.length, 2)
    assert.equal(pack(dense).idx, null)
    assert.equal(decodePacked(new Uint8Array(3)), null)
    assert.equal(decodePacked(encodePacked(pack(sparse)).slice(0, 12)), null)
  })

  it('caches by embedder id and text hash, in memory and in SQLite', async () => {
    let calls = 0
    const inner = hashEmbedder({ dims: 512 })
    const e: Embedder = { specificationVersion: 'v1', provider: 't', modelId: 'm', id: 't:m', dims: 512, doEmbed: async o => { calls += o.values.length; return { embeddings: o.values.map(v => inner.embedSync(v)) } } }
    const db = new DatabaseSync(':memory:')
    const a = new EmbeddingCache({ db, maxEntries: 2 })
    const first = await a.embed(e, ['one', 'two', 'one', 'three'])
    assert.equal(calls, 3, 'duplicates embedded once')
    assert.deepEqual(unpack(first[0]!), unpack(first[2]!))
    await a.embed(e, ['three'])
    assert.equal(calls, 3)
    const b = new EmbeddingCache({ db })
    await b.embed(e, ['one', 'two'])
    assert.equal(calls, 3, 'read back from router_embeddings')
    assert.equal(b.hits, 2)
    const other: Embedder = { ...e, id: 't:other' }
    await b.embed(other, ['one'])
    assert.equal(calls, 4, 'another embedder id is another key')
    assert.equal(b.prune('t:', 't:other'), 2 + 3, 'drops the other state: 2 entries in memory, 3 rows in SQLite')
    await b.embed(e, ['one'])
    assert.equal(calls, 5, 'pruned vectors are embedded again')
  })

  it('rejects an embedder that returns the wrong shape', async () => {
    const bad: Embedder = { specificationVersion: 'v1', provider: 't', modelId: 'm', id: 't:bad', dims: 4, doEmbed: async () => ({ embeddings: [new Float32Array(3)] }) }
    await assert.rejects(new EmbeddingCache().embed(bad, ['x']), { name: 'EmbeddingFailedError' })
    const short: Embedder = { ...bad, doEmbed: async () => ({ embeddings: [] }) }
    await assert.rejects(new EmbeddingCache().embed(short, ['x']), { name: 'EmbeddingFailedError' })
  })
})

describe('TF-IDF baseline', () => {
  it('scores by best exemplar cosine and abstains below its threshold', () => {
    const b = tfidfRouter()
    b.setExperts(synthetic(3))
    const d = b.route('zork1 and blim1')
    assert.equal(d.choice?.id, 'x1')
    assert.ok(d.scores[0]!.score > d.scores[1]!.score)
    assert.equal(b.route('zork1 and blim1', 0.99).abstained, true)
    assert.equal(b.route('completely unrelated words').scores[0]!.score, 0)
  })
})
