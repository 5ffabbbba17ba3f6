/**
 * Fingerprints route outcome packets through the DHT.
 *
 * - exact: the first 16 bytes of sha256(`family|task|sorted(tags)`) over normalised fields;
 * - near: SimHash of an embedding of the context text (see context-text.ts), cut into bands; each
 *   band, together with the scheme, embedder id and family, hashes to one 16-byte key, so contexts
 *   whose embeddings are close share at least one band key with high probability.
 *
 * Both kinds become DHT keys `/baobab-outcome/<32 hex>`.
 */
import { createHash } from 'node:crypto'
import { DEFAULT_LSH_BANDS, DEFAULT_LSH_ROWS, FINGERPRINT_BYTES, LSH_SCHEME, OUTCOME_NAMESPACE } from './constants.ts'
import { contextText } from './context-text.ts'
import { InvalidOutcomeQueryError } from './errors.ts'
import { normaliseFamily, normaliseTags, normaliseText } from './normalise.ts'
import type { Embedder } from '../embedding/index.ts'

export interface OutcomeContext {
  family: string
  task: string
  tags: readonly string[]
}

function sha256 (text: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(text).digest())
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/** Normalised context; throws InvalidOutcomeQueryError on an empty family or task. */
export function normaliseContext (ctx: OutcomeContext): OutcomeContext {
  const family = normaliseFamily(String(ctx.family ?? ''))
  const task = normaliseText(String(ctx.task ?? ''))
  if (family === '') throw new InvalidOutcomeQueryError('family', 'must not be empty')
  if (task === '') throw new InvalidOutcomeQueryError('task', 'must not be empty')
  return { family, task, tags: normaliseTags((ctx.tags ?? []).map(String)) }
}

/** The exact fingerprint's preimage: `family|task|tag1,tag2,…` (tags sorted). */
export function exactPreimage (ctx: OutcomeContext): string {
  const n = normaliseContext(ctx)
  return `${n.family}|${n.task}|${[...n.tags].sort().join(',')}`
}

export function exactFingerprint (ctx: OutcomeContext): Uint8Array {
  return sha256(exactPreimage(ctx)).subarray(0, FINGERPRINT_BYTES)
}

export function recordKey (fingerprint: Uint8Array): string {
  return `/${OUTCOME_NAMESPACE}/${hex(fingerprint)}`
}

export function exactKey (ctx: OutcomeContext): string {
  return recordKey(exactFingerprint(ctx))
}

/** True for `/baobab-outcome/<32 lower-case hex>`. */
export function isOutcomeKey (key: string): boolean {
  return new RegExp(`^/${OUTCOME_NAMESPACE}/[0-9a-f]{${FINGERPRINT_BYTES * 2}}$`).test(key)
}

export interface LshOptions {
  bands?: number
  rows?: number
}

export interface NearSignature {
  /** One bit per hyperplane, bands × rows of them (as 0/1 numbers). */
  bits: number[]
  embedding: Float32Array
  keys: string[]
}

/** Deterministic ±1 hyperplanes from a seeded xorshift32 stream (identical on every node). */
function hyperplanes (count: number, dims: number): Int8Array[] {
  const seed = sha256(`${LSH_SCHEME}|hyperplanes|${dims}`)
  let state = (seed[0]! | (seed[1]! << 8) | (seed[2]! << 16) | (seed[3]! << 24)) >>> 0
  if (state === 0) state = 0x9e3779b9
  const out: Int8Array[] = []
  for (let p = 0; p < count; p++) {
    const plane = new Int8Array(dims)
    for (let i = 0; i < dims; i++) {
      state ^= state << 13; state >>>= 0
      state ^= state >>> 17
      state ^= state << 5; state >>>= 0
      plane[i] = (state & 1) === 1 ? 1 : -1
    }
    out.push(plane)
  }
  return out
}

/** Computes near fingerprints with any Embedder (the embedder id is part of every band key). */
export class NearFingerprinter {
  readonly embedder: Embedder
  readonly bands: number
  readonly rows: number
  private planes: Int8Array[] | undefined

  constructor (embedder: Embedder, options: LshOptions = {}) {
    this.embedder = embedder
    this.bands = options.bands ?? DEFAULT_LSH_BANDS
    this.rows = options.rows ?? DEFAULT_LSH_ROWS
    if (!Number.isInteger(this.bands) || this.bands < 1 || !Number.isInteger(this.rows) || this.rows < 1 || this.rows > 32) {
      throw new InvalidOutcomeQueryError('lsh', `needs integer bands ≥ 1 and rows 1–32 (got ${this.bands}×${this.rows})`)
    }
  }

  /** Embeddings of several contexts' prepared text (one embedder call). */
  async embed (contexts: OutcomeContext[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    if (contexts.length === 0) return []
    const values = contexts.map(c => contextText(c.task, c.tags))
    const { embeddings } = await this.embedder.doEmbed({ values, signal: options.signal })
    return embeddings
  }

  bitsOf (embedding: Float32Array): number[] {
    this.planes ??= hyperplanes(this.bands * this.rows, this.embedder.dims)
    // embeddings from hashed features are sparse: visit the non-zero dimensions only
    const nz: number[] = []
    const n = Math.min(embedding.length, this.embedder.dims)
    for (let i = 0; i < n; i++) if (embedding[i] !== 0) nz.push(i)
    return this.planes.map(plane => {
      let dot = 0
      for (const i of nz) dot += plane[i]! * embedding[i]!
      return dot >= 0 ? 1 : 0
    })
  }

  /** Band keys for a family and a bit signature. */
  bandKeys (family: string, bits: number[]): string[] {
    const fam = normaliseFamily(family)
    const keys: string[] = []
    for (let b = 0; b < this.bands; b++) {
      const band = bits.slice(b * this.rows, (b + 1) * this.rows).join('')
      keys.push(recordKey(sha256(`${LSH_SCHEME}|${this.embedder.id}|${fam}|b${b}|${band}`).subarray(0, FINGERPRINT_BYTES)))
    }
    return keys
  }

  async signatures (contexts: OutcomeContext[], options: { signal?: AbortSignal } = {}): Promise<NearSignature[]> {
    const embeddings = await this.embed(contexts, options)
    return embeddings.map((embedding, i) => {
      const bits = this.bitsOf(embedding)
      return { bits, embedding, keys: this.bandKeys(contexts[i]!.family, bits) }
    })
  }
}
