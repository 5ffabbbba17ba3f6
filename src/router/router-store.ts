/**
 * What the router persists in the library database: feedback (`router_feedback`) and small state
 * records such as the last calibration (`router_state`). Embeddings live in the `embeddings` table
 * (see src/embedding/embedding-cache.ts).
 */
import type { DatabaseSync } from 'node:sqlite'

export interface FeedbackRecord {
  id: number
  created: number
  question: string
  /** The expert that should have answered, or null for "no expert should have". */
  expertId: string | null
}

export class RouterStore {
  private readonly db: DatabaseSync

  constructor (db: DatabaseSync) {
    this.db = db
    db.exec(`CREATE TABLE IF NOT EXISTS router_feedback (
      id INTEGER PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, question TEXT NOT NULL, expert_id TEXT)`)
    db.exec('CREATE TABLE IF NOT EXISTS router_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated INTEGER NOT NULL)')
  }

  addFeedback (record: Omit<FeedbackRecord, 'id'>): number {
    const r = this.db.prepare('INSERT INTO router_feedback (created, question, expert_id) VALUES (?, ?, ?)')
      .run(record.created, record.question, record.expertId)
    return Number(r.lastInsertRowid)
  }

  listFeedback (): FeedbackRecord[] {
    const rows = this.db.prepare('SELECT id, created, question, expert_id FROM router_feedback ORDER BY id').all() as
      Array<{ id: number, created: number, question: string, expert_id: string | null }>
    return rows.map(r => ({ id: Number(r.id), created: Number(r.created), question: r.question, expertId: r.expert_id }))
  }

  removeFeedback (id: number): boolean {
    return Number(this.db.prepare('DELETE FROM router_feedback WHERE id = ?').run(id).changes) > 0
  }

  getState<T> (key: string): T | null {
    const row = this.db.prepare('SELECT value FROM router_state WHERE key = ?').get(key) as { value: string } | undefined
    if (row == null) return null
    try {
      return JSON.parse(row.value) as T
    } catch {
      return null
    }
  }

  setState (key: string, value: unknown): void {
    this.db.prepare('INSERT OR REPLACE INTO router_state (key, value, updated) VALUES (?, ?, ?)')
      .run(key, JSON.stringify(value), Date.now())
  }
}
