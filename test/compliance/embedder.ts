/**
 * Embedder compliance suite (STYLE §3). Every implementation runs it:
 *
 *   embedderCompliance({ name: 'builtin', setup: async () => ({ embedder: hashEmbedder() }) })
 *
 * It checks identity fields, shapes, unit length, determinism, batch = one by one, empty input,
 * odd text (unicode, very long), abort, and that a paraphrase sits closer than an unrelated text.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Embedder } from '../../src/embedding/index.ts'

export interface EmbedderComplianceSetup {
  embedder: Embedder
  teardown?: () => Promise<void>
  /** Check that paraphrases beat unrelated text (default true). */
  semantic?: boolean
}

export interface EmbedderComplianceFactory {
  name: string
  setup: () => Promise<EmbedderComplianceSetup>
}

const TEXTS = [
  'How do I treat ticks on my cattle?',
  'What is the best way to control ticks on cows?',
  'Who won the football match last night?'
]

function cosine (a: Float32Array, b: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

function norm (a: Float32Array): number {
  return Math.sqrt(cosine(a, a))
}

export function embedderCompliance (factory: EmbedderComplianceFactory): void {
  const withEmbedder = (fn: (s: EmbedderComplianceSetup) => Promise<void>) => async () => {
    const s = await factory.setup()
    try {
      await fn(s)
    } finally {
      await s.teardown?.()
    }
  }

  describe(`Embedder compliance: ${factory.name}`, () => {
    it('declares v1, provider, modelId, a stable id and positive dims', withEmbedder(async ({ embedder }) => {
      assert.equal(embedder.specificationVersion, 'v1')
      assert.ok(embedder.provider.length > 0)
      assert.ok(embedder.modelId.length > 0)
      assert.ok(embedder.id.length > 0)
      assert.equal(embedder.id, embedder.id)
      assert.ok(Number.isInteger(embedder.dims) && embedder.dims > 0)
    }))

    it('returns one finite unit vector of `dims` per text', withEmbedder(async ({ embedder }) => {
      const { embeddings } = await embedder.doEmbed({ values: TEXTS })
      assert.equal(embeddings.length, TEXTS.length)
      for (const v of embeddings) {
        assert.ok(v instanceof Float32Array)
        assert.equal(v.length, embedder.dims)
        assert.ok(v.every(Number.isFinite))
        assert.ok(Math.abs(norm(v) - 1) < 1e-3, `norm ${norm(v)}`)
      }
    }))

    it('is deterministic, and a batch equals texts embedded one by one', withEmbedder(async ({ embedder }) => {
      const batch = (await embedder.doEmbed({ values: TEXTS })).embeddings
      const again = (await embedder.doEmbed({ values: TEXTS })).embeddings
      for (let i = 0; i < TEXTS.length; i++) {
        const single = (await embedder.doEmbed({ values: [TEXTS[i]!] })).embeddings[0]!
        assert.ok(cosine(batch[i]!, again[i]!) > 0.9999, 'same text, same vector')
        assert.ok(cosine(batch[i]!, single) > 0.9999, 'batch and single agree')
      }
    }))

    it('embeds an empty list to an empty list', withEmbedder(async ({ embedder }) => {
      assert.deepEqual((await embedder.doEmbed({ values: [] })).embeddings, [])
    }))

    it('copes with unicode, punctuation-only and long text', withEmbedder(async ({ embedder }) => {
      const odd = ['Ñandú — “café” 🐄 ĉu?', '?!…', 'maize '.repeat(400)]
      const { embeddings } = await embedder.doEmbed({ values: odd })
      assert.equal(embeddings.length, odd.length)
      for (const v of embeddings) {
        assert.equal(v.length, embedder.dims)
        assert.ok(v.every(Number.isFinite))
      }
    }))

    it('rejects with the abort reason when the signal is already aborted', withEmbedder(async ({ embedder }) => {
      const controller = new AbortController()
      const reason = new Error('stop now')
      controller.abort(reason)
      await assert.rejects(embedder.doEmbed({ values: TEXTS, signal: controller.signal }), (err: unknown) => err === reason)
    }))

    it('places a paraphrase closer than an unrelated question', withEmbedder(async ({ embedder, semantic }) => {
      if (semantic === false) return
      const [a, b, c] = (await embedder.doEmbed({ values: TEXTS })).embeddings
      assert.ok(cosine(a!, b!) > cosine(a!, c!) + 0.05, `paraphrase ${cosine(a!, b!)} vs unrelated ${cosine(a!, c!)}`)
    }))
  })
}
