/**
 * `mesh_pending`: artifacts being fetched, with their verified bytes and known providers, so an
 * interrupted transfer resumes after a restart (chunks already stored are skipped).
 */
import type { Library } from '../library/index.ts'

export interface PendingFetch {
  cid: string
  bytes: Uint8Array
  providers: string[]
  added: number
}

interface Row {
  cid: string
  bytes: Uint8Array
  providers: string
  added: number
}

export class PendingStore {
  private readonly library: Library

  constructor (library: Library) {
    this.library = library
    library.db.exec(`CREATE TABLE IF NOT EXISTS mesh_pending (
      cid TEXT PRIMARY KEY,
      bytes BLOB NOT NULL,
      providers TEXT NOT NULL,
      added INTEGER NOT NULL
    ) STRICT`)
  }

  put (p: Omit<PendingFetch, 'added'>): void {
    const existing = this.get(p.cid)
    const providers = [...new Set([...(existing?.providers ?? []), ...p.providers])].slice(-16)
    this.library.db.prepare(`INSERT INTO mesh_pending (cid, bytes, providers, added) VALUES (?, ?, ?, ?)
      ON CONFLICT(cid) DO UPDATE SET providers = excluded.providers`).run(p.cid, p.bytes, JSON.stringify(providers), Date.now())
  }

  get (cid: string): PendingFetch | undefined {
    const row = this.library.db.prepare('SELECT * FROM mesh_pending WHERE cid = ?').get(cid) as Row | undefined
    return row == null ? undefined : fromRow(row)
  }

  list (): PendingFetch[] {
    return (this.library.db.prepare('SELECT * FROM mesh_pending ORDER BY added').all() as unknown as Row[]).map(fromRow)
  }

  remove (cid: string): void {
    this.library.db.prepare('DELETE FROM mesh_pending WHERE cid = ?').run(cid)
  }
}

function fromRow (r: Row): PendingFetch {
  let providers: string[] = []
  try {
    const parsed: unknown = JSON.parse(r.providers)
    if (Array.isArray(parsed)) providers = parsed.filter((x): x is string => typeof x === 'string')
  } catch { /* a damaged list: no known providers */ }
  return { cid: r.cid, bytes: new Uint8Array(r.bytes), providers, added: r.added }
}
