/**
 * Local embeddings of experience texts, cached in `learn_embeddings` by (embedder id, text hash).
 * Embeddings are always computed here, never taken from peers (their sketches are only hints).
 */
import { createHash } from 'node:crypto'
import type { Embedder } from '../router/index.ts'
import type { DatabaseSync } from 'node:sqlite'

export class EmbeddingCache {
  private readonly db: DatabaseSync
  private readonly embedder: Embedder
  private readonly memo = new Map<string, Float32Array>()

  constructor (db: DatabaseSync, embedder: Embedder) {
    this.db = db
    this.embedder = embedder
    db.exec(`CREATE TABLE IF NOT EXISTS learn_embeddings (
      embedder TEXT NOT NULL, text_hash TEXT NOT NULL, vec BLOB NOT NULL,
      PRIMARY KEY (embedder, text_hash)) STRICT`)
  }

  get embedderId (): string {
    return this.embedder.id
  }

  /** Embeds texts, using and filling the cache; results in input order. */
  async embed (texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const id = this.embedder.id
    const keys = texts.map(t => `${id}\n${createHash('sha256').update(t).digest('hex')}`)
    const out: Array<Float32Array | undefined> = keys.map(k => this.memo.get(k))
    const select = this.db.prepare('SELECT vec FROM learn_embeddings WHERE embedder = ? AND text_hash = ?')
    const missing: number[] = []
    for (let i = 0; i < texts.length; i++) {
      if (out[i] != null) continue
      const row = select.get(id, keys[i]!.slice(id.length + 1)) as { vec: Uint8Array } | undefined
      if (row != null) {
        const v = new Float32Array(new Uint8Array(row.vec).buffer)
        out[i] = v
        this.remember(keys[i]!, v)
      } else missing.push(i)
    }
    if (missing.length > 0) {
      const { embeddings } = await this.embedder.doEmbed({ values: missing.map(i => texts[i]!), ...(signal != null ? { signal } : {}) })
      const insert = this.db.prepare('INSERT OR REPLACE INTO learn_embeddings (embedder, text_hash, vec) VALUES (?, ?, ?)')
      missing.forEach((i, j) => {
        const v = Float32Array.from(embeddings[j] ?? [])
        out[i] = v
        this.remember(keys[i]!, v)
        insert.run(id, keys[i]!.slice(id.length + 1), new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
      })
    }
    return out as Float32Array[]
  }

  async embedOne (text: string, signal?: AbortSignal): Promise<Float32Array> {
    return (await this.embed([text], signal))[0]!
  }

  private remember (key: string, v: Float32Array): void {
    if (this.memo.size > 8192) this.memo.clear()
    this.memo.set(key, v)
  }
}
