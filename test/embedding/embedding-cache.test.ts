import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, it } from 'node:test'
import { CachedEmbedder, hashEmbedder, pack, unpack } from '../../src/embedding/index.ts'
import { encodePacked } from '../../src/embedding/vectors.ts'
import { textHash } from '../../src/embedding/embedding-cache.ts'
import { openLibrary } from '../../src/library/index.ts'
import type { Embedder } from '../../src/embedding/index.ts'

function counting (): { embedder: Embedder, calls: () => number } {
  let calls = 0
  const inner = hashEmbedder({ dims: 512 })
  const embedder: Embedder = {
    specificationVersion: 'v1',
    provider: 't',
    modelId: 'm',
    id: 't:m',
    dims: 512,
    doEmbed: async o => { calls += o.values.length; return { embeddings: o.values.map(v => inner.embedSync(v)) } }
  }
  return { embedder, calls: () => calls }
}

function tables (db: DatabaseSync): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map(r => r.name)
}

describe('embedding cache table', () => {
  it('an older library file opens: router vectors stay usable, learning vectors are dropped', async () => {
    const home = mkdtempSync(join(tmpdir(), 'baobab-embeddings-'))
    try {
      const { embedder, calls } = counting()
      const stored = hashEmbedder({ dims: 512 }).embedSync('goats cough')
      const before = openLibrary({ home })
      before.db.exec(`CREATE TABLE router_embeddings (
        embedder_id TEXT NOT NULL, text_sha256 TEXT NOT NULL, dims INTEGER NOT NULL, vector BLOB NOT NULL,
        created INTEGER NOT NULL, PRIMARY KEY (embedder_id, text_sha256)) WITHOUT ROWID`)
      before.db.prepare('INSERT INTO router_embeddings VALUES (?, ?, ?, ?, ?)')
        .run('t:m', textHash('goats cough'), 512, encodePacked(pack(stored)), 1)
      before.db.exec('CREATE TABLE learn_vectors (embedder TEXT NOT NULL, text_hash TEXT NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (embedder, text_hash)) STRICT')
      before.db.prepare('INSERT INTO learn_vectors VALUES (?, ?, ?)').run('t:m', 'x', new Uint8Array(8))
      before.close()

      const library = openLibrary({ home })
      try {
        const cached = new CachedEmbedder(embedder, { db: library.db })
        const names = tables(library.db)
        assert.ok(names.includes('embeddings'))
        assert.ok(!names.includes('router_embeddings'), 'renamed')
        assert.ok(!names.includes('learn_vectors'), 'dropped')
        assert.equal(Number((library.db.prepare('SELECT count(*) AS n FROM embeddings').get() as { n: number }).n), 1, 'the router row is kept')
        const [v] = await cached.embed(['goats cough'])
        assert.equal(calls(), 0, 'served from the kept row')
        assert.deepEqual(unpack(v!), stored)
        await cached.embed(['sheep sneeze'])
        assert.equal(calls(), 1)
        const again = new CachedEmbedder(embedder, { db: library.db })
        await again.embed(['sheep sneeze', 'goats cough'])
        assert.equal(calls(), 1, 'both read back from the embeddings table')
      } finally {
        library.close()
      }
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})
