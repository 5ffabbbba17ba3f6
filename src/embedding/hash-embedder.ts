/**
 * The built-in embedder: hashed word stems and character n-grams of those stems, each block with
 * sublinear tf × idf, blended (by squared-norm share) and L2-normalised. It carries no vocabulary
 * of its own beyond general English (stop words, a stemmer): everything it knows about a topic
 * comes from the library it is fitted on.
 * No download, no native code, deterministic, well under a millisecond per question.
 *
 * idf is learned from a corpus with `fit()` (the router fits it on the library's exemplars); the
 * embedder `id` carries a fingerprint of the fitted state so cached vectors never mix states.
 * It also answers two vocabulary questions the router uses to abstain: how much of a question
 * the library's vocabulary knows (`coverage`), and how many of its words an expert's exemplars
 * share (`evidence`).
 */
import { InvalidEmbedderOptionsError } from './errors.ts'
import { contentTokens } from './text.ts'
import { fnv1a, l2norm, unpack } from './vectors.ts'
import type { PackedVector } from './vectors.ts'
import { PREFIX, Vocabulary } from './vocabulary.ts'
import type { Features } from './vocabulary.ts'
import type { EmbedOptions, EmbedResult, FittableEmbedder } from './types.ts'

export interface HashEmbedderInit {
  /**
   * Vector length, a power of two in 256..65536. Default 65536: the vectors are sparse (the
   * router stores only non-zeros) and fewer dims add hash-collision noise to every cosine.
   */
  dims?: number
  /** Share of the vector (by squared norm) for word stems and char n-grams. */
  weights?: { word?: number, char?: number }
  /** Smallest and largest character n-gram. Default [3, 5]. */
  charNgrams?: [number, number]
}

export const HASH_EMBEDDER_VERSION = 2

/** A text's word stems and their PREFIX-letter prefixes, as sorted 32-bit hashes. */
type WordSet = Uint32Array
const DEFAULT_WEIGHTS = { word: 0.7, char: 0.3 }
const BLOCKS = ['w', 'c'] as const
/** Texts outside the fitted corpus whose word sets are kept for evidence checks. */
const WORD_CACHE = 4096
const FIT_CACHE = 8192

export class HashEmbedder implements FittableEmbedder {
  readonly specificationVersion = 'v1' as const
  readonly provider = 'baobab'
  readonly modelId: string
  readonly dims: number
  private readonly weights: Record<'w' | 'c', number>
  private readonly ngram: [number, number]
  private vocabulary = Vocabulary.empty()
  /** Word sets of every fitted corpus text (the exemplars the evidence check reads), built by `fit`. */
  private corpusWords = new Map<string, WordSet>()
  private readonly wordSets = new Map<string, WordSet>()
  /** Features of the corpus just fitted: the router embeds those same texts next. */
  private fitCache = new Map<string, Features>()

  constructor (init: HashEmbedderInit = {}) {
    const dims = init.dims ?? 65536
    if (!Number.isInteger(dims) || dims < 256 || dims > 65536 || (dims & (dims - 1)) !== 0) {
      throw new InvalidEmbedderOptionsError('dims', 'dims must be a power of two between 256 and 65536')
    }
    const w = { ...DEFAULT_WEIGHTS, ...init.weights }
    for (const [k, v] of Object.entries(w)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new InvalidEmbedderOptionsError(`weights.${k}`, `weight ${k} must be a number >= 0`)
      }
    }
    if (w.word + w.char <= 0) throw new InvalidEmbedderOptionsError('weights', 'weights must not all be 0')
    const [lo, hi] = init.charNgrams ?? [3, 5]
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 2 || hi < lo || hi > 8) {
      throw new InvalidEmbedderOptionsError('charNgrams', 'charNgrams must satisfy 2 <= min <= max <= 8')
    }
    this.dims = dims
    this.weights = { w: w.word, c: w.char }
    this.ngram = [lo, hi]
    this.modelId = `hash-ngram-v${HASH_EMBEDDER_VERSION}-d${dims}-w${w.word}c${w.char}-n${lo}${hi}`
  }

  get idPrefix (): string {
    return `builtin:${this.modelId}:`
  }

  /** Changes whenever `fit` changes the corpus statistics. */
  get id (): string {
    return `${this.idPrefix}${this.vocabulary.fingerprint}`
  }

  /** Number of documents the idf was fitted on. */
  get fittedDocs (): number {
    return this.vocabulary.docs
  }

  /** Learns document frequencies from a corpus (replaces any previous fit). */
  fit (corpus: Iterable<string>): void {
    const sets: Features[] = []
    const keep = new Map<string, Features>()
    const words = new Map<string, WordSet>()
    for (const text of corpus) {
      const f = this.features(text)
      sets.push(f)
      if (keep.size < FIT_CACHE) keep.set(text, f)
      if (!words.has(text)) words.set(text, wordSetOf([...f.w.keys()].map(k => k.slice(2))))
    }
    this.vocabulary = Vocabulary.fit(sets)
    this.fitCache = keep
    this.corpusWords = words
    this.wordSets.clear()
  }

  /** idf of a feature key: ln((N+1)/(df+1)) + 1; unseen features get the largest value. */
  idf (feature: string): number {
    return this.vocabulary.idf(feature)
  }

  async doEmbed (options: EmbedOptions): Promise<EmbedResult> {
    options.signal?.throwIfAborted()
    const embeddings: Float32Array[] = []
    for (const text of options.values) embeddings.push(this.embedSync(text))
    return { embeddings }
  }

  /** Embeds one text synchronously (dense). */
  embedSync (text: string): Float32Array {
    return unpack(this.embedPacked(text))
  }

  /** Embeds one text synchronously, returning only the non-zero entries. */
  embedPacked (text: string): PackedVector {
    let f = this.fitCache.get(text)
    if (f == null) f = this.features(text)
    else this.fitCache.delete(text)
    const mask = this.dims - 1
    const acc = new Map<number, number>()
    for (const block of BLOCKS) {
      const weight = this.weights[block]
      const entries = f[block]
      if (weight === 0 || entries.size === 0) continue
      const keys: string[] = []
      const xs: number[] = []
      let norm = 0
      for (const [key, tf] of entries) {
        const x = (1 + Math.log(tf)) * this.vocabulary.idf(key)
        keys.push(key)
        xs.push(x)
        norm += x * x
      }
      const factor = Math.sqrt(weight / norm)
      for (let j = 0; j < keys.length; j++) {
        const h = fnv1a(keys[j]!)
        const i = h & mask
        acc.set(i, (acc.get(i) ?? 0) + ((h & 0x80000000) !== 0 ? -1 : 1) * xs[j]! * factor)
      }
    }
    let n = 0
    for (const x of acc.values()) n += x * x
    n = Math.sqrt(n)
    const idx = Uint32Array.from(acc.keys()).sort()
    const val = new Float32Array(idx.length)
    if (n > 0) for (let j = 0; j < idx.length; j++) val[j] = acc.get(idx[j]!)! / n
    return { dims: this.dims, idx, val, norm: l2norm(val) }
  }

  /**
   * Share (0..1) of a text's word weight (idf²) that the fitted corpus knows: the stem itself or a
   * stem sharing its first six letters. `excludeDoc`
   * removes one corpus document first (leave-one-out). 1 when unfitted or without content words.
   */
  coverage (text: string, options: { excludeDoc?: string } = {}): number {
    const minus = options.excludeDoc == null ? undefined : this.wordFeatures(options.excludeDoc)
    return this.vocabulary.coverage(this.wordFeatures(text), minus)
  }

  /**
   * How many distinct content words of `query` occur in `docs` — as the same stem, a stem with the
   * same first six letters: the breadth of the evidence for a match.
   */
  evidence (query: string, docs: string[]): number {
    const sets = docs.map(d => this.wordSet(d))
    const seen = new Set<string>()
    let hits = 0
    for (const { stem } of contentTokens(query)) {
      if (seen.has(stem)) continue
      seen.add(stem)
      const h = stemHash(stem)
      const p = stem.length >= PREFIX ? prefixHash(stem) : -1
      if (sets.some(s => holds(s, h) || (p >= 0 && holds(s, p)))) hits++
    }
    return hits
  }

  /** Word set of one text: the fitted corpus's are all kept; others in a bounded cache. */
  private wordSet (text: string): WordSet {
    const hit = this.corpusWords.get(text) ?? this.wordSets.get(text)
    if (hit != null) return hit
    const set = wordSetOf([...contentTokens(text)].map(t => t.stem))
    if (this.wordSets.size >= WORD_CACHE) this.wordSets.delete(this.wordSets.keys().next().value!)
    this.wordSets.set(text, set)
    return set
  }

  /** Word stems only (no character n-grams). */
  wordFeatures (text: string): Features {
    return this.features(text, false)
  }

  /** Raw term counts per block (exposed for explanations and tests). */
  features (text: string, charGrams = true): Features {
    const w = new Map<string, number>()
    const c = new Map<string, number>()
    const add = (m: Map<string, number>, key: string): void => { m.set(key, (m.get(key) ?? 0) + 1) }
    const [lo, hi] = this.ngram
    for (const { stem } of contentTokens(text)) {
      add(w, `w:${stem}`)
      if (charGrams && !/^\d+$/.test(stem)) {
        const s = `<${stem}>`
        for (let n = lo; n <= hi; n++) {
          for (let i = 0; i + n <= s.length; i++) add(c, `c:${s.slice(i, i + n)}`)
        }
      }
    }
    return { w, c }
  }
}

const stemHash = (stem: string): number => fnv1a(`w:${stem}`)
const prefixHash = (stem: string): number => fnv1a(`p:${stem.slice(0, PREFIX)}`)

function wordSetOf (stems: string[]): WordSet {
  const hs = new Set<number>()
  for (const stem of stems) {
    hs.add(stemHash(stem))
    if (stem.length >= PREFIX) hs.add(prefixHash(stem))
  }
  return Uint32Array.from(hs).sort()
}

/** Binary search in a sorted word set. */
function holds (set: WordSet, h: number): boolean {
  let lo = 0
  let hi = set.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const v = set[mid]!
    if (v === h) return true
    if (v < h) lo = mid + 1
    else hi = mid - 1
  }
  return false
}

/** Creates the built-in embedder. */
export function hashEmbedder (init?: HashEmbedderInit): HashEmbedder {
  return new HashEmbedder(init)
}
