/**
 * Consistency of trust state after any crash: nothing half-admitted. Returns the problems found
 * (empty when consistent). Used by tests after SIGKILL and available to `doctor`-style checks.
 * - every received artifact that left quarantine has a journal row with the same status;
 * - every journalled own vote exists, and this node has at most one vote per target and verdict;
 * - every adapter's weight chunks are in the blob store;
 * - nothing deny-listed or tombstoned is trusted.
 */
import { STATUSES } from '../library/index.ts'
import { ensureTrustTables } from './tables.ts'
import type { Library } from '../library/index.ts'

export function checkTrustState (library: Library, self?: string): string[] {
  const db = library.db
  ensureTrustTables(db)
  const problems: string[] = []
  const ok = (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check
  if (ok !== 'ok') problems.push(`sqlite integrity_check: ${ok}`)
  const undecided = db.prepare(`SELECT a.cid, a.status FROM artifacts a LEFT JOIN trust_decisions d ON d.cid = a.cid
    WHERE a.source_peer IS NOT NULL AND a.status != 'quarantined' AND (d.cid IS NULL OR d.status != a.status)`).all() as Array<{ cid: string, status: string }>
  for (const r of undecided) problems.push(`${r.cid} is ${r.status} without a matching decision`)
  const badStatus = db.prepare(`SELECT cid, status FROM trust_decisions WHERE status NOT IN (${STATUSES.map(() => '?').join(',')})`).all(...STATUSES) as Array<{ cid: string, status: string }>
  for (const r of badStatus) problems.push(`decision for ${r.cid} has status ${r.status}`)
  const missingVotes = db.prepare(`SELECT d.cid, d.vote_cid FROM trust_decisions d JOIN artifacts a ON a.cid = d.cid
    WHERE d.vote_cid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM artifacts v WHERE v.cid = d.vote_cid)`).all() as Array<{ cid: string, vote_cid: string }>
  for (const r of missingVotes) problems.push(`decision for ${r.cid} names vote ${r.vote_cid}, which is missing`)
  if (self != null) {
    const seen = new Set<string>()
    for (const v of library.list({ kind: 'vote', author: self })) {
      const b = v.envelope.body as { target: { toString(): string }, verdict: number }
      const k = `${b.target.toString()}:${b.verdict}`
      if (seen.has(k)) problems.push(`two own votes ${b.verdict > 0 ? '+1' : '−1'} on ${b.target.toString()}`)
      seen.add(k)
    }
  }
  const chunks = db.prepare('SELECT cid, chunk FROM artifact_chunks').all() as Array<{ cid: string, chunk: string }>
  for (const c of chunks) if (!library.blobs.has(c.chunk)) problems.push(`${c.cid} lacks weight chunk ${c.chunk}`)
  const denied = db.prepare(`SELECT a.cid FROM artifacts a JOIN trust_peers p ON p.peer = a.author WHERE p.list = 'deny' AND a.status = 'trusted'`).all() as Array<{ cid: string }>
  for (const r of denied) problems.push(`${r.cid} is trusted but its author is deny-listed`)
  const tomb = db.prepare(`SELECT a.cid FROM artifacts a JOIN trust_tombstones t ON t.cid = a.cid WHERE a.status = 'trusted'`).all() as Array<{ cid: string }>
  for (const r of tomb) problems.push(`${r.cid} is trusted but tombstoned`)
  return problems
}
