/** The SQLite-backed library (node:sqlite, WAL, foreign keys, versioned schema). */
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { logger } from '@libp2p/logger'
import { CHUNK_SIZE, KINDS, decodeStoredArtifact, writeFileAtomic } from '../artifacts/index.ts'
import { FileBlobStore } from './blob-store.ts'
import { ArtifactNotFoundError, CorruptLibraryError, InvalidQueryError, MissingBlobError, asStorageError } from './errors.ts'
import { migrate } from './migrations.ts'
import { STATUSES } from './types.ts'
import type { Library, LibraryInit, ListQuery, PutOptions, PutResult, Status, StoredArtifact, SyncKey } from './types.ts'
import type { Kind, SignedArtifact } from '../artifacts/index.ts'

const log = logger('baobab:library')

interface Row {
  cid: string
  kind: string
  author: string
  created: number
  domain: string | null
  bytes: Uint8Array
  status: string
  shareable: number
  source_peer: string | null
  received: number
  reason: string | null
}

export class SqliteLibrary implements Library {
  readonly db: DatabaseSync
  readonly blobs: FileBlobStore
  private readonly listeners = new Set<(a: StoredArtifact) => void>()
  private readonly cache = new Map<string, SignedArtifact>()

  constructor (init: LibraryInit) {
    const memory = init.home === ':memory:'
    const home = memory ? mkdtempSync(join(tmpdir(), 'baobab-lib-')) : init.home
    mkdirSync(home, { recursive: true })
    const path = memory ? ':memory:' : join(home, 'library.db')
    try {
      this.db = new DatabaseSync(path)
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000')
    } catch (err) {
      throw new CorruptLibraryError(path, (err as Error).message, { cause: err })
    }
    try {
      migrate(this.db, path)
    } catch (err) {
      this.db.close()
      if ((err as Error).name === 'SchemaTooNewError') throw err
      throw new CorruptLibraryError(path, (err as Error).message, { cause: err })
    }
    this.blobs = new FileBlobStore(join(home, 'blobs'))
  }

  put (artifact: SignedArtifact, options: PutOptions = {}): PutResult {
    return this.putMany([{ artifact, options }])[0]!
  }

  putMany (items: Array<{ artifact: SignedArtifact, options?: PutOptions }>): PutResult[] {
    const results: PutResult[] = []
    const inserted: StoredArtifact[] = []
    const insert = this.db.prepare(`INSERT OR IGNORE INTO artifacts
      (cid, kind, author, created, domain, bytes, status, shareable, source_peer, received, reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    const chunk = this.db.prepare('INSERT INTO artifact_chunks (cid, idx, chunk) VALUES (?, ?, ?)')
    this.transaction(() => {
      for (const { artifact, options = {} } of items) {
        const cid = artifact.cid.toString()
        const chunks = chunkCids(artifact)
        const missing = chunks.filter(c => !this.blobs.has(c))
        if (missing.length > 0) throw new MissingBlobError(cid, missing)
        const env = artifact.envelope
        const status = options.status ?? 'trusted'
        checkStatus(status)
        const shareable = options.shareable ?? env.kind !== 'experience'
        const domain = typeof (env.body as { domain?: unknown }).domain === 'string' ? (env.body as { domain: string }).domain : null
        const received = Date.now()
        const r = insert.run(cid, env.kind, env.author, env.created, domain, artifact.bytes, status,
          shareable ? 1 : 0, options.sourcePeer ?? null, received, options.reason ?? null)
        const isNew = Number(r.changes) > 0
        if (isNew) {
          chunks.forEach((c, i) => chunk.run(cid, i, c))
          inserted.push({
            ...artifact, kind: env.kind, author: env.author, created: env.created, domain, status, shareable,
            sourcePeer: options.sourcePeer ?? null, received, reason: options.reason ?? null
          })
        }
        results.push({ inserted: isNew, cid })
      }
    }, 'artifacts')
    for (const a of inserted) {
      log('stored %s %s (%s)', a.kind, a.cid, a.status)
      for (const l of this.listeners) l(a)
    }
    return results
  }

  get (cid: string): StoredArtifact | undefined {
    const row = this.db.prepare('SELECT * FROM artifacts WHERE cid = ?').get(cid) as Row | undefined
    return row == null ? undefined : this.fromRow(row)
  }

  has (cid: string): boolean {
    return this.db.prepare('SELECT 1 FROM artifacts WHERE cid = ?').get(cid) != null
  }

  list (query: ListQuery = {}): StoredArtifact[] {
    const where: string[] = []
    const args: Array<string | number> = []
    if (query.kind != null) { checkKind(query.kind); where.push('kind = ?'); args.push(query.kind) }
    if (query.domain != null) { where.push('domain = ?'); args.push(query.domain) }
    if (query.author != null) { where.push('author = ?'); args.push(query.author) }
    if (query.shareable != null) { where.push('shareable = ?'); args.push(query.shareable ? 1 : 0) }
    if (query.status != null) {
      const statuses = Array.isArray(query.status) ? query.status : [query.status]
      statuses.forEach(checkStatus)
      where.push(`status IN (${statuses.map(() => '?').join(',')})`)
      args.push(...statuses)
    }
    const sql = `SELECT * FROM artifacts ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY created, cid ${query.limit != null ? 'LIMIT ' + Math.max(0, Math.floor(query.limit)) : ''}`
    return (this.db.prepare(sql).all(...args) as unknown as Row[]).map(r => this.fromRow(r))
  }

  setStatus (cid: string, status: Status, reason?: string): void {
    checkStatus(status)
    const r = this.db.prepare('UPDATE artifacts SET status = ?, reason = ? WHERE cid = ?').run(status, reason ?? null, cid)
    if (Number(r.changes) === 0) throw new ArtifactNotFoundError(cid)
    log('status %s → %s%s', cid, status, reason != null ? ` (${reason})` : '')
  }

  setShareable (cid: string, shareable: boolean): void {
    const r = this.db.prepare('UPDATE artifacts SET shareable = ? WHERE cid = ?').run(shareable ? 1 : 0, cid)
    if (Number(r.changes) === 0) throw new ArtifactNotFoundError(cid)
  }

  remove (cid: string): void {
    const chunks = (this.db.prepare('SELECT chunk FROM artifact_chunks WHERE cid = ?').all(cid) as Array<{ chunk: string }>).map(r => r.chunk)
    const r = this.db.prepare('DELETE FROM artifacts WHERE cid = ?').run(cid)
    if (Number(r.changes) === 0) throw new ArtifactNotFoundError(cid)
    this.cache.delete(cid)
    // a chunk may be shared by several adapters: delete only unreferenced ones
    const used = this.db.prepare('SELECT 1 FROM artifact_chunks WHERE chunk = ? LIMIT 1')
    for (const c of chunks) if (used.get(c) == null) this.blobs.remove(c)
  }

  counts (): Record<Kind, number> {
    const out = Object.fromEntries(KINDS.map(k => [k, 0])) as Record<Kind, number>
    for (const r of this.db.prepare('SELECT kind, count(*) AS n FROM artifacts GROUP BY kind').all() as Array<{ kind: Kind, n: number }>) out[r.kind] = r.n
    return out
  }

  syncKeys (): SyncKey[] {
    return this.db.prepare("SELECT created, cid FROM artifacts WHERE shareable = 1 AND status = 'trusted' ORDER BY created, cid").all() as unknown as SyncKey[]
  }

  sharesChunk (chunk: string): boolean {
    return this.db.prepare(`SELECT 1 FROM artifact_chunks c JOIN artifacts a ON a.cid = c.cid
      WHERE c.chunk = ? AND a.shareable = 1 AND a.status = 'trusted' LIMIT 1`).get(chunk) != null
  }

  async putBlobFile (
    path: string, options: { signal?: AbortSignal, onProgress?: (e: { done: number, total: number }) => void } = {}
  ): Promise<{ chunks: string[], bytes: number }> {
    const total = statSync(path).size
    const fd = openSync(path, 'r')
    const chunks: string[] = []
    try {
      const buf = Buffer.alloc(CHUNK_SIZE)
      for (let done = 0; done < total;) {
        options.signal?.throwIfAborted()
        const n = readSync(fd, buf, 0, Math.min(CHUNK_SIZE, total - done), done)
        if (n === 0) break
        chunks.push(this.blobs.put(buf.subarray(0, n)))
        done += n
        options.onProgress?.({ done, total })
        await Promise.resolve()
      }
    } finally {
      closeSync(fd)
    }
    return { chunks, bytes: total }
  }

  writeBlobFile (chunks: string[], path: string): void {
    const parts = chunks.map(c => this.blobs.get(c))
    writeFileAtomic(path, Buffer.concat(parts))
  }

  onPut (listener: (artifact: StoredArtifact) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  close (): void {
    if (this.db.isOpen) this.db.close()
  }

  private transaction (fn: () => void, what: string): void {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      fn()
      this.db.exec('COMMIT')
    } catch (err) {
      this.db.exec('ROLLBACK')
      throw asStorageError(err, what)
    }
  }

  private fromRow (row: Row): StoredArtifact {
    // bytes were fully verified on the way in: decode without re-checking the signature
    let art = this.cache.get(row.cid)
    if (art == null) {
      art = decodeStoredArtifact(row.bytes, row.cid)
      if (this.cache.size > 4096) this.cache.clear()
      this.cache.set(row.cid, art)
    }
    return {
      ...art,
      kind: row.kind as Kind,
      author: row.author,
      created: row.created,
      domain: row.domain,
      status: row.status as Status,
      shareable: row.shareable === 1,
      sourcePeer: row.source_peer,
      received: row.received,
      reason: row.reason
    }
  }
}

function chunkCids (artifact: SignedArtifact): string[] {
  if (artifact.envelope.kind !== 'adapter') return []
  return (artifact.envelope.body as { chunks: unknown[] }).chunks.map(c => String(c))
}

function checkStatus (status: string): void {
  if (!(STATUSES as readonly string[]).includes(status)) throw new InvalidQueryError(`unknown status "${status}" (one of ${STATUSES.join(', ')})`)
}

function checkKind (kind: string): void {
  if (!(KINDS as readonly string[]).includes(kind)) throw new InvalidQueryError(`unknown kind "${kind}" (one of ${KINDS.join(', ')})`)
}

