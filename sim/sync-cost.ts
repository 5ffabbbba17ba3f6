/**
 * Sync cost with the real reconciliation code (`src/mesh/reconcile.ts`): bytes on the wire
 * between two libraries of `size` items that differ by `diff`, and the hourly cost per node
 * for a publication rate and sync interval.
 */
import { createHash } from 'node:crypto'
import { reconcileLocal } from '../src/mesh/reconcile.ts'
import type { SyncItem } from '../src/mesh/reconcile.ts'
import type { Rng } from './rng.ts'

function item (i: number, salt: string): SyncItem {
  return { created: 1_700_000_000_000 + i * 1000, id: new Uint8Array(createHash('sha256').update(`${salt}:${i}`).digest()) }
}

export interface SyncCost {
  size: number
  diff: number
  bytes: number
  rounds: number
}

/** Two libraries of `size` items; `diff` items (split between both sides) are missing on one. */
export function measureSyncCost (size: number, diff: number, rng: Rng): SyncCost {
  const all = Array.from({ length: size + diff }, (_, i) => item(i, 'lib'))
  const a: SyncItem[] = []
  const b: SyncItem[] = []
  const missing = new Set<number>()
  while (missing.size < diff) missing.add(rng.int(all.length))
  all.forEach((it, i) => {
    if (!missing.has(i)) { a.push(it); b.push(it) } else if (i % 2 === 0) a.push(it); else b.push(it)
  })
  const r = reconcileLocal(a, b)
  if (r.have.length + r.need.length !== diff) throw new Error(`reconciliation found ${r.have.length + r.need.length} of ${diff} differences`)
  return { size, diff, bytes: r.bytesIn + r.bytesOut, rounds: r.rounds }
}

export interface HourlySyncInit {
  nodes: number
  /** Artifacts each node publishes per day. */
  perNodePerDay: number
  /** Share of announcements gossip fails to deliver (from the propagation simulation). */
  missRate: number
  syncIntervalS: number
  librarySize: number
}

/** Expected sync bytes per node per hour: each sync repairs what gossip missed since the last one. */
export function hourlySyncBytes (init: HourlySyncInit, cost: (diff: number) => number): { diffPerSync: number, bytesPerHour: number } {
  const publishedPerSync = init.nodes * init.perNodePerDay / 86_400 * init.syncIntervalS
  const diffPerSync = publishedPerSync * init.missRate
  const syncsPerHour = 3600 / init.syncIntervalS
  // interpolate the measured curve at the expected difference (both directions of one sync)
  return { diffPerSync, bytesPerHour: syncsPerHour * cost(diffPerSync) }
}
