/** Versioned schema migrations for the core library tables. */
import type { DatabaseSync } from 'node:sqlite'
import { SchemaTooNewError } from './errors.ts'

const MIGRATIONS: string[] = [
  // 1: artifacts with trust status and provenance
  `CREATE TABLE artifacts (
     cid TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     author TEXT NOT NULL,
     created INTEGER NOT NULL,
     domain TEXT,
     bytes BLOB NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('quarantined','trusted','rejected','revoked')),
     shareable INTEGER NOT NULL DEFAULT 0,
     source_peer TEXT,
     received INTEGER NOT NULL,
     reason TEXT
   ) STRICT;
   CREATE INDEX artifacts_kind ON artifacts(kind, status);
   CREATE INDEX artifacts_domain ON artifacts(domain);
   CREATE INDEX artifacts_author ON artifacts(author);
   CREATE INDEX artifacts_sync ON artifacts(shareable, created, cid);
   CREATE TABLE artifact_chunks (
     cid TEXT NOT NULL REFERENCES artifacts(cid) ON DELETE CASCADE,
     idx INTEGER NOT NULL,
     chunk TEXT NOT NULL,
     PRIMARY KEY (cid, idx)
   ) STRICT;
   CREATE INDEX artifact_chunks_chunk ON artifact_chunks(chunk);`
]

export const SCHEMA_VERSION = MIGRATIONS.length

export function migrate (db: DatabaseSync, path: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null }
  const current = row.v ?? 0
  if (current > SCHEMA_VERSION) throw new SchemaTooNewError(path, current, SCHEMA_VERSION)
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.exec('BEGIN IMMEDIATE')
    try {
      db.exec(MIGRATIONS[v]!)
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1)
      db.exec('COMMIT')
    } catch (err) {
      db.exec('ROLLBACK')
      throw err
    }
  }
}
