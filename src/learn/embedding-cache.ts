/**
 * Local embeddings of experience texts, cached in `learn_vectors` by (embedder id, text hash), in
 * the compact form of vectors.ts. Embeddings are always computed here, never taken from peers
 * (their sketches are only hints).
 */
import { createHash } from 'node:crypto'
import { decodeVec, encodeVec, toVec } from './vectors.ts'
import type { Vec } from './vectors.ts'
import type { Embedder } from '../embedding/index.ts'
import type { DatabaseSync } from 'node:sqlite'

export class EmbeddingCache {
  private readonly db: DatabaseSync
  private readonly embedder: Embedder
  private readonly memo = new Map<string, Vec>()

  constructor (db: DatabaseSync, embedder: Embedder) {
    this.db = db
    this.embedder = embedder
    db.exec(`CREATE TABLE IF NOT EXISTS learn_vectors (
      embedder TEXT NOT NULL, text_hash TEXT NOT NULL, vec BLOB NOT NULL,
      PRIMARY KEY (embedder, text_hash)) STRICT`)
  }

  get embedderId (): string {
    return this.embedder.id
  }

  /** Embeds texts, using and filling the cache; results in input order. */
  async embed (texts: string[], signal?: AbortSignal): Promise<Vec[]> {
    signal?.throwIfAborted()
    const id = this.embedder.id
    const hashes = texts.map(t => createHash('sha256').update(t).digest('hex'))
    const out: Array<Vec | undefined> = hashes.map(h => this.memo.get(`${id}\n${h}`))
    const select = this.db.prepare('SELECT vec FROM learn_vectors WHERE embedder = ? AND text_hash = ?')
    const missing: number[] = []
    for (let i = 0; i < texts.length; i++) {
      if (out[i] != null) continue
      const row = select.get(id, hashes[i]!) as { vec: Uint8Array } | undefined
      if (row != null) {
        out[i] = decodeVec(row.vec)
        this.remember(`${id}\n${hashes[i]!}`, out[i]!)
      } else missing.push(i)
    }
    if (missing.length > 0) {
      const { embeddings } = await this.embedder.doEmbed({ values: missing.map(i => texts[i]!), ...(signal != null ? { signal } : {}) })
      const insert = this.db.prepare('INSERT OR REPLACE INTO learn_vectors (embedder, text_hash, vec) VALUES (?, ?, ?)')
      missing.forEach((i, j) => {
        const v = toVec(Float32Array.from(embeddings[j] ?? []))
        out[i] = v
        this.remember(`${id}\n${hashes[i]!}`, v)
        insert.run(id, hashes[i]!, encodeVec(v))
      })
    }
    return out as Vec[]
  }

  async embedOne (text: string, signal?: AbortSignal): Promise<Vec> {
    return (await this.embed([text], signal))[0]!
  }

  private remember (key: string, v: Vec): void {
    if (this.memo.size > 8192) this.memo.clear()
    this.memo.set(key, v)
  }
}
