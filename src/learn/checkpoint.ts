/**
 * Learning-run checkpoints in `learn_runs`: after every batch the position and statistics are
 * saved, so an interrupted `baobab learn` resumes at the next batch when rerun with the same
 * inputs. The key covers everything that changes the run (tasks, grader, sizes, seed, runtime,
 * prompt template versions).
 */
import { createHash } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'

export interface EpochStats {
  epoch: number
  rollouts: number
  rewardSum: number
  groups: number
  skippedUniform: number
  skippedMalformed: number
  /** Stage-2 replies that were malformed and asked again. */
  retries: number
  ops: Record<'ADD' | 'UPDATE' | 'DELETE' | 'MERGE' | 'NONE', number>
  merged: number
  dropped: number
}

export interface RunState {
  epochs: EpochStats[]
  /** Last completed batch, or null before the first. */
  position: { epoch: number, batch: number } | null
  completed: boolean
  warnings: string[]
}

export function emptyEpoch (epoch: number): EpochStats {
  return {
    epoch, rollouts: 0, rewardSum: 0, groups: 0, skippedUniform: 0, skippedMalformed: 0, retries: 0,
    ops: { ADD: 0, UPDATE: 0, DELETE: 0, MERGE: 0, NONE: 0 }, merged: 0, dropped: 0
  }
}

export function runKey (parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts, Object.keys(parts).sort())).digest('hex').slice(0, 32)
}

export class Checkpoints {
  private readonly db: DatabaseSync

  constructor (db: DatabaseSync) {
    this.db = db
    db.exec(`CREATE TABLE IF NOT EXISTS learn_runs (
      key TEXT PRIMARY KEY, config TEXT NOT NULL, state TEXT NOT NULL, updated INTEGER NOT NULL) STRICT`)
  }

  load (key: string): RunState | null {
    const row = this.db.prepare('SELECT state FROM learn_runs WHERE key = ?').get(key) as { state: string } | undefined
    return row == null ? null : JSON.parse(row.state) as RunState
  }

  save (key: string, config: unknown, state: RunState): void {
    this.db.prepare('INSERT INTO learn_runs (key, config, state, updated) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated = excluded.updated')
      .run(key, JSON.stringify(config), JSON.stringify({ ...state, warnings: state.warnings.slice(-200) }), Date.now())
  }

  clear (key: string): void {
    this.db.prepare('DELETE FROM learn_runs WHERE key = ?').run(key)
  }

  /** True when batch (epoch, batch) was completed in an earlier session. */
  static done (state: RunState, epoch: number, batch: number): boolean {
    const p = state.position
    return p != null && (epoch < p.epoch || (epoch === p.epoch && batch <= p.batch))
  }
}
