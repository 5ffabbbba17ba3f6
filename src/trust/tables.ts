/**
 * The trust pipeline's own tables in `library.db` (all prefixed `trust_`), and one transaction
 * helper. A decision (status + journal + reputation + learned norms) is written in one
 * transaction, so a crash leaves either the quarantined artifact or the whole decision.
 */
import type { DatabaseSync } from 'node:sqlite'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS trust_peers (
  peer TEXT PRIMARY KEY,
  list TEXT CHECK (list IN ('allow', 'deny')),
  note TEXT,
  accepted REAL NOT NULL DEFAULT 0,
  rejected REAL NOT NULL DEFAULT 0,
  agree REAL NOT NULL DEFAULT 0,
  disagree REAL NOT NULL DEFAULT 0,
  violations REAL NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS trust_decisions (
  cid TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  stage TEXT NOT NULL,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  vote_cid TEXT,
  checks TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS trust_refusals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  cid TEXT,
  kind TEXT,
  author TEXT,
  peer TEXT,
  source TEXT NOT NULL,
  stage TEXT NOT NULL,
  reason TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS trust_refusals_peer ON trust_refusals(peer);
CREATE TABLE IF NOT EXISTS trust_tombstones (
  cid TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS trust_revocations (
  target TEXT NOT NULL,
  revocation TEXT NOT NULL,
  author TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (target, revocation)
) STRICT;
CREATE TABLE IF NOT EXISTS trust_superseded (
  target TEXT NOT NULL,
  by_cid TEXT NOT NULL,
  author TEXT NOT NULL,
  PRIMARY KEY (target, by_cid)
) STRICT;
CREATE TABLE IF NOT EXISTS trust_votes (
  target TEXT NOT NULL,
  voter TEXT NOT NULL,
  vote_cid TEXT NOT NULL,
  verdict INTEGER NOT NULL,
  score REAL,
  reason TEXT NOT NULL,
  created INTEGER NOT NULL,
  source_peer TEXT,
  received INTEGER NOT NULL,
  judged INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target, voter)
) STRICT;
CREATE INDEX IF NOT EXISTS trust_votes_voter ON trust_votes(voter);
CREATE TABLE IF NOT EXISTS trust_adapter_norms (
  cid TEXT NOT NULL,
  base TEXT NOT NULL,
  target TEXT NOT NULL,
  n_in INTEGER NOT NULL,
  n_out INTEGER NOT NULL,
  rank INTEGER NOT NULL,
  frobenius REAL NOT NULL,
  spectral REAL NOT NULL,
  PRIMARY KEY (cid, target)
) STRICT;
CREATE INDEX IF NOT EXISTS trust_adapter_norms_base ON trust_adapter_norms(base, target);
`

export function ensureTrustTables (db: DatabaseSync): void {
  db.exec(SCHEMA)
}

let savepoints = 0

/** Runs `fn` in one transaction (a savepoint when one is already open); rolls back on error. */
export function inTransaction<T> (db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) {
    const name = `trust_sp_${++savepoints}`
    db.exec(`SAVEPOINT ${name}`)
    try {
      const out = fn()
      db.exec(`RELEASE ${name}`)
      return out
    } catch (err) {
      db.exec(`ROLLBACK TO ${name}`)
      db.exec(`RELEASE ${name}`)
      throw err
    }
  }
  db.exec('BEGIN IMMEDIATE')
  try {
    const out = fn()
    db.exec('COMMIT')
    return out
  } catch (err) {
    db.exec('ROLLBACK')
    throw err
  }
}
