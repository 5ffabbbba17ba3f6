/**
 * Corpus statistics of the built-in embedder: document frequencies (for idf), a fingerprint of the
 * fitted state, and "does the corpus know this word?" checks.
 */
import { createHash } from 'node:crypto'

/** Term counts of one text: `w:` word stems, `c:` character n-grams. */
export interface Features {
  w: Map<string, number>
  c: Map<string, number>
}

/** Stems of at least this many letters count as related when they share this prefix. */
export const PREFIX = 6

export class Vocabulary {
  readonly df: Map<string, number>
  readonly docs: number
  readonly fingerprint: string
  /** Count of corpus word stems per PREFIX-letter prefix (summed document frequencies). */
  private readonly prefixes: Map<string, number>

  private constructor (df: Map<string, number>, docs: number) {
    this.df = df
    this.docs = docs
    const prefixes = new Map<string, number>()
    for (const [key, n] of df) {
      if (key.startsWith('w:') && key.length >= 2 + PREFIX) {
        const p = key.slice(2, 2 + PREFIX)
        prefixes.set(p, (prefixes.get(p) ?? 0) + n)
      }
    }
    this.prefixes = prefixes
    if (docs === 0) {
      this.fingerprint = 'unfitted'
    } else {
      const hash = createHash('sha256').update(`${docs}\n`)
      for (const key of [...df.keys()].sort()) hash.update(`${key}\t${df.get(key)}\n`)
      this.fingerprint = hash.digest('hex').slice(0, 12)
    }
  }

  static empty (): Vocabulary {
    return new Vocabulary(new Map(), 0)
  }

  static fit (documents: Features[]): Vocabulary {
    const df = new Map<string, number>()
    for (const f of documents) {
      for (const block of [f.w, f.c]) {
        for (const key of block.keys()) df.set(key, (df.get(key) ?? 0) + 1)
      }
    }
    return new Vocabulary(df, documents.length)
  }

  idf (key: string): number {
    return Math.log((this.docs + 1) / ((this.df.get(key) ?? 0) + 1)) + 1
  }

  /** See HashEmbedder.coverage. `minus` is one corpus document to leave out. */
  coverage (query: Features, minus?: Features): number {
    if (this.docs === 0) return 1
    const n = this.docs - (minus == null ? 0 : 1)
    const dfOf = (key: string): number => {
      const d = this.df.get(key) ?? 0
      if (minus == null || d === 0) return d
      return d - (minus.w.has(key) || minus.c.has(key) ? 1 : 0)
    }
    let covered = 0
    let total = 0
    for (const key of query.w.keys()) {
      const d = dfOf(key)
      const idf = Math.log((n + 1) / (d + 1)) + 1
      total += idf * idf
      const stem = key.slice(2)
      const related = stem.length >= PREFIX &&
        (this.prefixes.get(stem.slice(0, PREFIX)) ?? 0) > ((minus?.w.has(key) ?? false) ? 1 : 0)
      if (d > 0 || related) covered += idf * idf
    }
    return total === 0 ? 1 : covered / total
  }
}
