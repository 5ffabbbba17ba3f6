/**
 * The outcome tables in the node's library.db: an index of outcome packets by exact key and family,
 * the keys this node publishes its own packets under, reproductions, and author reputation.
 */
import { exactKey } from './fingerprint.ts'
import { authorReputation, netVerdict, reproductionStrength, reproductionVerdict } from './reproduction.ts'
import type { ReproductionTally, Verdict } from './reproduction.ts'
import type { OutcomeBody, ReproductionBody } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outcomes_packets (
  cid TEXT PRIMARY KEY, author TEXT NOT NULL, created INTEGER NOT NULL,
  family TEXT NOT NULL, exact_key TEXT NOT NULL, method TEXT NOT NULL, delta REAL NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS outcomes_packets_exact ON outcomes_packets(exact_key);
CREATE INDEX IF NOT EXISTS outcomes_packets_family ON outcomes_packets(family);
CREATE INDEX IF NOT EXISTS outcomes_packets_author ON outcomes_packets(author);
CREATE TABLE IF NOT EXISTS outcomes_keys (
  key TEXT NOT NULL, cid TEXT NOT NULL, author TEXT NOT NULL, created INTEGER NOT NULL,
  PRIMARY KEY (key, cid)
) STRICT;
CREATE INDEX IF NOT EXISTS outcomes_keys_author ON outcomes_keys(author, key);
CREATE TABLE IF NOT EXISTS outcomes_puts (
  key TEXT NOT NULL, author TEXT NOT NULL, put_at INTEGER NOT NULL, PRIMARY KEY (key, author)
) STRICT;
CREATE TABLE IF NOT EXISTS outcomes_reproductions (
  cid TEXT PRIMARY KEY, target TEXT NOT NULL, reproducer TEXT NOT NULL, created INTEGER NOT NULL,
  measured REAL NOT NULL, n INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS outcomes_reproductions_target ON outcomes_reproductions(target);
CREATE TABLE IF NOT EXISTS outcomes_reputation (
  author TEXT PRIMARY KEY, reproduced INTEGER NOT NULL, failed INTEGER NOT NULL, score REAL NOT NULL, updated INTEGER NOT NULL
) STRICT;
`

export interface ReproductionRow {
  cid: string
  target: string
  reproducer: string
  created: number
  measured: number
  n: number
}

export class OutcomeIndex {
  private readonly library: Library

  constructor (library: Library) {
    this.library = library
    library.db.exec(SCHEMA)
  }

  /** Indexes an outcome or reproduction already verified and stored in the library. */
  add (artifact: StoredArtifact): void {
    const env = artifact.envelope
    const cid = artifact.cid.toString()
    if (env.kind === 'outcome') {
      const b = env.body as OutcomeBody
      this.library.db.prepare(`INSERT OR IGNORE INTO outcomes_packets (cid, author, created, family, exact_key, method, delta)
        VALUES (?, ?, ?, ?, ?, ?, ?)`).run(cid, env.author, env.created, b.family, exactKey(b), b.method, b.delta)
      this.refreshReputation(env.author)
    } else if (env.kind === 'reproduction') {
      const b = env.body as ReproductionBody
      this.library.db.prepare(`INSERT OR IGNORE INTO outcomes_reproductions (cid, target, reproducer, created, measured, n)
        VALUES (?, ?, ?, ?, ?, ?)`).run(cid, b.target.toString(), env.author, env.created, b.measuredDelta, b.nEval)
      const target = this.packetAuthor(b.target.toString())
      if (target != null) this.refreshReputation(target)
    }
  }

  /** Indexes every outcome and reproduction in the library that is not indexed yet. */
  backfill (): number {
    let n = 0
    const known = new Set((this.library.db.prepare('SELECT cid FROM outcomes_packets UNION SELECT cid FROM outcomes_reproductions').all() as Array<{ cid: string }>).map(r => r.cid))
    for (const kind of ['outcome', 'reproduction'] as const) {
      for (const a of this.library.list({ kind })) {
        if (!known.has(a.cid.toString())) { this.add(a); n++ }
      }
    }
    return n
  }

  has (cid: string): boolean {
    return this.library.db.prepare('SELECT 1 FROM outcomes_packets WHERE cid = ? UNION SELECT 1 FROM outcomes_reproductions WHERE cid = ?').get(cid, cid) != null
  }

  packetAuthor (cid: string): string | undefined {
    return (this.library.db.prepare('SELECT author FROM outcomes_packets WHERE cid = ?').get(cid) as { author: string } | undefined)?.author
  }

  byExactKey (key: string): string[] {
    return (this.library.db.prepare('SELECT cid FROM outcomes_packets WHERE exact_key = ? ORDER BY created DESC').all(key) as Array<{ cid: string }>).map(r => r.cid)
  }

  byFamily (family: string): string[] {
    return (this.library.db.prepare('SELECT cid FROM outcomes_packets WHERE family = ? ORDER BY created DESC').all(family) as Array<{ cid: string }>).map(r => r.cid)
  }

  /** Records that this node publishes `cid` (its own packet or reproduction) under `keys`. */
  setKeys (cid: string, author: string, created: number, keys: readonly string[]): void {
    const stmt = this.library.db.prepare('INSERT OR IGNORE INTO outcomes_keys (key, cid, author, created) VALUES (?, ?, ?, ?)')
    const stale = this.library.db.prepare('DELETE FROM outcomes_puts WHERE key = ? AND author = ?')
    for (const k of keys) {
      // a key with a new CID has to be put again
      if (stmt.run(k, cid, author, created).changes > 0) stale.run(k, author)
    }
  }

  /** Notes that `author`'s entry under `key` reached at least one DHT peer at `at`. */
  markPut (key: string, author: string, at: number): void {
    this.library.db.prepare('INSERT OR REPLACE INTO outcomes_puts (key, author, put_at) VALUES (?, ?, ?)').run(key, author, at)
  }

  /** `author`'s keys never put on the DHT since their last change, or last put before `before`. */
  keysDue (author: string, before: number): string[] {
    return (this.library.db.prepare(`SELECT DISTINCT k.key FROM outcomes_keys k LEFT JOIN outcomes_puts p ON p.key = k.key AND p.author = k.author
      WHERE k.author = ? AND (p.put_at IS NULL OR p.put_at < ?) ORDER BY k.key`).all(author, before) as Array<{ key: string }>).map(r => r.key)
  }

  /** This author's CIDs under `key`, newest first. */
  cidsForKey (key: string, author: string): string[] {
    return (this.library.db.prepare('SELECT cid FROM outcomes_keys WHERE key = ? AND author = ? ORDER BY created DESC, cid').all(key, author) as Array<{ cid: string }>).map(r => r.cid)
  }

  keysOf (author: string): string[] {
    return (this.library.db.prepare('SELECT DISTINCT key FROM outcomes_keys WHERE author = ? ORDER BY key').all(author) as Array<{ key: string }>).map(r => r.key)
  }

  /** Reproductions of `target`: the latest per reproducer, the packet's author excluded. */
  reproductionsOf (target: string): ReproductionRow[] {
    const author = this.packetAuthor(target)
    const rows = this.library.db.prepare('SELECT * FROM outcomes_reproductions WHERE target = ? ORDER BY created DESC, cid').all(target) as unknown as ReproductionRow[]
    const seen = new Set<string>()
    return rows.filter(r => {
      if (r.reproducer === author || seen.has(r.reproducer)) return false
      seen.add(r.reproducer)
      return true
    })
  }

  tally (target: string, claimedDelta: number): ReproductionTally {
    const tally: ReproductionTally = { reproduced: 0, failed: 0, count: 0 }
    for (const r of this.reproductionsOf(target)) {
      const s = reproductionStrength(r.n, this.reputation(r.reproducer))
      if (reproductionVerdict(claimedDelta, r.measured) === 'reproduced') tally.reproduced += s
      else tally.failed += s
      tally.count++
    }
    return tally
  }

  verdictOf (target: string, claimedDelta: number): Verdict | undefined {
    return netVerdict(this.tally(target, claimedDelta))
  }

  /** Stored reputation (1 for authors nobody has reproduced). */
  reputation (author: string): number {
    return (this.library.db.prepare('SELECT score FROM outcomes_reputation WHERE author = ?').get(author) as { score: number } | undefined)?.score ?? 1
  }

  /** Recomputes an author's reputation from the net verdicts of their packets. */
  refreshReputation (author: string): number {
    const packets = this.library.db.prepare('SELECT cid, delta FROM outcomes_packets WHERE author = ?').all(author) as Array<{ cid: string, delta: number }>
    let ok = 0
    let bad = 0
    for (const p of packets) {
      const v = this.verdictOf(p.cid, p.delta)
      if (v === 'reproduced') ok++
      else if (v === 'failed') bad++
    }
    const score = authorReputation(ok, bad)
    this.library.db.prepare(`INSERT INTO outcomes_reputation (author, reproduced, failed, score, updated) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(author) DO UPDATE SET reproduced = excluded.reproduced, failed = excluded.failed, score = excluded.score, updated = excluded.updated`)
      .run(author, ok, bad, score, Date.now())
    return score
  }
}
