/**
 * The `embeddings` table of the embedding cache, and the step that brings an older library file
 * to it: the router's `router_embeddings` rows (same columns, same vector encoding) are kept by
 * renaming the table; learning's `learn_vectors` (another encoding) is dropped, its vectors are
 * recomputed on first use.
 */
import type { DatabaseSync } from 'node:sqlite'

function hasTable (db: DatabaseSync, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) != null
}

export function createEmbeddingsTable (db: DatabaseSync): void {
  if (hasTable(db, 'router_embeddings') && !hasTable(db, 'embeddings')) {
    try {
      db.exec('ALTER TABLE router_embeddings RENAME TO embeddings')
    } catch (err) {
      // another process opening the same file renamed it first
      if (!hasTable(db, 'embeddings')) throw err
    }
  }
  db.exec(`CREATE TABLE IF NOT EXISTS embeddings (
    embedder_id TEXT NOT NULL, text_sha256 TEXT NOT NULL, dims INTEGER NOT NULL, vector BLOB NOT NULL,
    created INTEGER NOT NULL, PRIMARY KEY (embedder_id, text_sha256)) WITHOUT ROWID`)
  if (hasTable(db, 'learn_vectors')) db.exec('DROP TABLE learn_vectors')
}
