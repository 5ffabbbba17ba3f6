/**
 * `mesh_peers`: peers this node has discovered or connected to, with their addresses. Written by
 * the running node so a separate `baobab peers list` process can show them.
 */
import type { Library } from '../library/index.ts'

export interface KnownPeer {
  peer: string
  addrs: string[]
  connected: boolean
  lastSeen: number
  /** How it was first found: mdns, bootstrap, dial, inbound, announcement. */
  via: string
  /** Why the last connection attempt was refused at the handshake (private network mismatch), if it was. */
  refused: string | null
  refusedAt: number | null
}

interface Row {
  peer: string
  addrs: string
  connected: number
  last_seen: number
  via: string
  refused: string | null
  refused_at: number | null
}

export class PeerBook {
  private readonly library: Library

  constructor (library: Library) {
    this.library = library
    library.db.exec(`CREATE TABLE IF NOT EXISTS mesh_peers (
      peer TEXT PRIMARY KEY,
      addrs TEXT NOT NULL,
      connected INTEGER NOT NULL DEFAULT 0,
      last_seen INTEGER NOT NULL,
      via TEXT NOT NULL
    ) STRICT`)
    const columns = library.db.prepare('PRAGMA table_info(mesh_peers)').all() as Array<{ name: string }>
    if (!columns.some(c => c.name === 'refused')) library.db.exec('ALTER TABLE mesh_peers ADD COLUMN refused TEXT; ALTER TABLE mesh_peers ADD COLUMN refused_at INTEGER')
  }

  seen (peer: string, update: { addrs?: string[], connected?: boolean, via: string }): void {
    const addrs = update.addrs != null ? JSON.stringify(update.addrs.slice(0, 8)) : null
    this.library.db.prepare(`INSERT INTO mesh_peers (peer, addrs, connected, last_seen, via) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(peer) DO UPDATE SET
        addrs = coalesce(?, addrs),
        connected = coalesce(?, connected),
        last_seen = excluded.last_seen,
        refused = CASE WHEN ? = 1 THEN NULL ELSE refused END`)
      .run(peer, addrs ?? '[]', update.connected === true ? 1 : 0, Date.now(), update.via,
        addrs, update.connected == null ? null : update.connected ? 1 : 0, update.connected === true ? 1 : 0)
  }

  /** A peer was seen but its handshake failed: `reason` says why (kept until it connects). */
  refused (peer: string, reason: string): void {
    const now = Date.now()
    this.library.db.prepare(`INSERT INTO mesh_peers (peer, addrs, connected, last_seen, via, refused, refused_at) VALUES (?, '[]', 0, ?, 'dial', ?, ?)
      ON CONFLICT(peer) DO UPDATE SET refused = excluded.refused, refused_at = excluded.refused_at, last_seen = excluded.last_seen`).run(peer, now, reason, now)
  }

  disconnectAll (): void {
    this.library.db.exec('UPDATE mesh_peers SET connected = 0')
  }

  list (): KnownPeer[] {
    return (this.library.db.prepare('SELECT * FROM mesh_peers ORDER BY connected DESC, last_seen DESC').all() as unknown as Row[])
      .map(r => ({
        peer: r.peer, addrs: parseAddrs(r.addrs), connected: r.connected === 1, lastSeen: r.last_seen, via: r.via,
        refused: r.refused ?? null, refusedAt: r.refused_at ?? null
      }))
  }
}

function parseAddrs (text: string): string[] {
  try {
    const v: unknown = JSON.parse(text)
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}
