/** Shared set-up for learn tests: temp homes, keys, a real library and the built-in embedder. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { openLibrary } from '../../src/library/index.ts'
import { ExperienceStore } from '../../src/learn/index.ts'
import { hashEmbedder } from '../../src/embedding/index.ts'
import type { Library } from '../../src/library/index.ts'
import type { Embedder, EmbedOptions, EmbedResult } from '../../src/embedding/index.ts'
import type { PrivateKey } from '@libp2p/interface'

const dirs: string[] = []

export function tempHome (): string {
  const d = mkdtempSync(join(tmpdir(), 'baobab-learn-'))
  dirs.push(d)
  return d
}

export function cleanup (): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

export function builtinEmbedder (): Embedder {
  return hashEmbedder()
}

/**
 * A dense 384-dimensional embedder (the width and density of all-MiniLM-L6-v2): the built-in
 * hashed embedder projected on 384 fixed pseudo-random ±1 directions, renormalised. Deterministic.
 */
export function embedder384 (): Embedder {
  const inner = hashEmbedder()
  const sign = (i: number, j: number): number => {
    // murmur3 fmix32 of (i, j)
    let h = Math.imul(i, 0x9e3779b1) ^ Math.imul(j + 1, 0x85ebca6b)
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16
    return (h & 1) === 1 ? -1 : 1
  }
  return {
    specificationVersion: 'v1',
    provider: 'test',
    modelId: 'dense-384',
    id: 'test:dense-384',
    dims: 384,
    async doEmbed (options: EmbedOptions): Promise<EmbedResult> {
      const { embeddings } = await inner.doEmbed(options)
      return {
        embeddings: embeddings.map(v => {
          const out = new Float32Array(384)
          for (let i = 0; i < v.length; i++) {
            const x = v[i]!
            if (x === 0) continue
            for (let j = 0; j < 384; j++) out[j] = out[j]! + sign(i, j) * x
          }
          let n = 0
          for (const x of out) n += x * x
          n = Math.sqrt(n) || 1
          return out.map(x => x / n)
        })
      }
    }
  }
}

export interface StoreFixture {
  library: Library
  store: ExperienceStore
  key: PrivateKey
  embedder: Embedder
  home: string
}

export async function storeFixture (options: { embedder?: Embedder, dedupThreshold?: number, key?: PrivateKey, home?: string } = {}): Promise<StoreFixture> {
  const home = options.home ?? tempHome()
  const library = openLibrary({ home })
  const key = options.key ?? await generateKeyPair('Ed25519')
  const embedder = options.embedder ?? builtinEmbedder()
  let t = 1_700_000_000_000
  const store = new ExperienceStore({ library, embedder, privateKey: key, clock: () => t++, ...(options.dedupThreshold != null ? { dedupThreshold: options.dedupThreshold } : {}) })
  return { library, store, key, embedder, home }
}
