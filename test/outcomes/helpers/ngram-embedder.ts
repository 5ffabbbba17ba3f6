/**
 * A small deterministic embedder for the outcome tests: hashed words (weight 1) and character
 * trigrams of each word (weight 0.3), L2-normalised. It is a real, corpus-free embedder (the kind
 * near fingerprints need: every node computes the same vector), not a stand-in for a model.
 */
import { createHash } from 'node:crypto'
import type { EmbedOptions, EmbedResult, Embedder } from '../../../src/router/types.ts'

function bucket (token: string, dims: number): { index: number, sign: number } {
  const h = createHash('sha256').update(token).digest()
  return { index: h.readUInt32LE(0) % dims, sign: (h[4]! & 1) === 1 ? 1 : -1 }
}

export class NgramEmbedder implements Embedder {
  readonly specificationVersion = 'v1' as const
  readonly provider = 'test'
  readonly modelId = 'ngram'
  readonly dims: number
  readonly id: string

  constructor (dims = 512) {
    this.dims = dims
    this.id = `test:ngram@1:${dims}`
  }

  async doEmbed (options: EmbedOptions): Promise<EmbedResult> {
    options.signal?.throwIfAborted()
    return {
      embeddings: options.values.map(text => {
        const v = new Float32Array(this.dims)
        for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
          const w = bucket(`w:${word}`, this.dims)
          v[w.index]! += w.sign
          const padded = `^${word}$`
          for (let i = 0; i + 3 <= padded.length; i++) {
            const c = bucket(`c:${padded.slice(i, i + 3)}`, this.dims)
            v[c.index]! += 0.3 * c.sign
          }
        }
        let norm = 0
        for (const x of v) norm += x * x
        norm = Math.sqrt(norm)
        if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm
        return v
      })
    }
  }
}
