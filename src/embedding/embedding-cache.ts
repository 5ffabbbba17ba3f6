/**
 * Embedding cache keyed by (embedder id, sha256(text)): an in-memory LRU, plus the `embeddings`
 * table when a node:sqlite database is given. Vectors are kept and returned packed (only the
 * non-zeros when that is smaller). Embeddings are always computed locally, never taken from peers.
 */
import { createHash } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { createEmbeddingsTable } from './embeddings-table.ts'
import { EmbeddingFailedError } from './errors.ts'
import { decodePacked, encodePacked, pack } from './vectors.ts'
import type { PackedVector } from './vectors.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Embedder } from './types.ts'

const log = logger('baobab:embedding:cache')

export interface EmbeddingCacheInit {
  db?: DatabaseSync
  /** Most vectors kept in memory (default 20000). */
  maxEntries?: number
}

export interface CachedEmbedOptions {
  signal?: AbortSignal
  /** Write new vectors to SQLite (default true when a db is given). */
  persist?: boolean
  /** Texts per backend call (default 64). */
  batchSize?: number
}

export function textHash (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export class EmbeddingCache {
  private readonly memory = new Map<string, PackedVector>()
  private readonly maxEntries: number
  private readonly select: StatementSync | null
  private readonly insert: StatementSync | null
  private readonly db: DatabaseSync | null
  hits = 0
  misses = 0

  constructor (init: EmbeddingCacheInit = {}) {
    this.maxEntries = init.maxEntries ?? 20000
    this.db = init.db ?? null
    if (this.db != null) {
      createEmbeddingsTable(this.db)
      this.select = this.db.prepare('SELECT vector FROM embeddings WHERE embedder_id = ? AND text_sha256 = ?')
      this.insert = this.db.prepare('INSERT OR REPLACE INTO embeddings (embedder_id, text_sha256, dims, vector, created) VALUES (?, ?, ?, ?, ?)')
    } else {
      this.select = null
      this.insert = null
    }
  }

  get size (): number {
    return this.memory.size
  }

  private remember (key: string, v: PackedVector): void {
    this.memory.delete(key)
    this.memory.set(key, v)
    if (this.memory.size > this.maxEntries) {
      const oldest = this.memory.keys().next().value
      if (oldest != null) this.memory.delete(oldest)
    }
  }

  private lookup (embedderId: string, sha: string, dims: number): PackedVector | null {
    const key = `${embedderId}\u0000${sha}`
    const hit = this.memory.get(key)
    if (hit != null) { this.remember(key, hit); return hit }
    if (this.select == null) return null
    const row = this.select.get(embedderId, sha) as { vector: Uint8Array } | undefined
    if (row == null) return null
    const packed = decodePacked(row.vector)
    if (packed == null || packed.dims !== dims) {
      log('ignoring unreadable cached vector for %s', embedderId)
      return null
    }
    this.remember(key, packed)
    return packed
  }

  /** Embeds texts through the cache; only missing texts reach the embedder. */
  async embed (embedder: Embedder, texts: string[], options: CachedEmbedOptions = {}): Promise<PackedVector[]> {
    const id = embedder.id
    const persist = (options.persist ?? true) && this.insert != null
    const out: Array<PackedVector | null> = new Array<PackedVector | null>(texts.length).fill(null)
    const missing = new Map<string, { text: string, sha: string, slots: number[] }>()
    texts.forEach((text, i) => {
      const sha = textHash(text)
      const v = this.lookup(id, sha, embedder.dims)
      if (v != null) { out[i] = v; this.hits++; return }
      const m = missing.get(sha)
      if (m != null) m.slots.push(i)
      else missing.set(sha, { text, sha, slots: [i] })
    })
    const todo = [...missing.values()]
    const batch = options.batchSize ?? 64
    for (let start = 0; start < todo.length; start += batch) {
      options.signal?.throwIfAborted()
      const chunk = todo.slice(start, start + batch)
      const result = await embedder.doEmbed({ values: chunk.map(c => c.text), ...(options.signal == null ? {} : { signal: options.signal }) })
      if (result.embeddings.length !== chunk.length) {
        throw new EmbeddingFailedError(id, `embedder returned ${result.embeddings.length} vectors for ${chunk.length} texts`)
      }
      const now = Date.now()
      chunk.forEach((c, j) => {
        const v = result.embeddings[j]!
        if (v.length !== embedder.dims) {
          throw new EmbeddingFailedError(id, `embedder returned ${v.length} dims, declared ${embedder.dims}`)
        }
        this.misses++
        const packed = pack(v)
        this.remember(`${id}\u0000${c.sha}`, packed)
        if (persist) this.insert!.run(id, c.sha, v.length, encodePacked(packed), now)
        for (const slot of c.slots) out[slot] = packed
      })
    }
    return out as PackedVector[]
  }

  /** Drops stored vectors of other states of the same embedder (`<prefix>…` but not `keepId`). */
  prune (idPrefix: string, keepId: string): number {
    let dropped = 0
    for (const key of [...this.memory.keys()]) {
      if (key.startsWith(idPrefix) && !key.startsWith(`${keepId}\u0000`)) { this.memory.delete(key); dropped++ }
    }
    if (this.db != null) {
      const r = this.db.prepare('DELETE FROM embeddings WHERE substr(embedder_id, 1, ?) = ? AND embedder_id != ?')
        .run(idPrefix.length, idPrefix, keepId)
      dropped += Number(r.changes)
    }
    return dropped
  }
}
