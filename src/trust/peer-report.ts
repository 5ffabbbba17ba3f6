/**
 * Every peer this node has judged: the reputation record (when it has one) with what was decided
 * about its artifacts and votes, and what was refused before storage. A peer whose artifacts
 * were admitted on screens alone earns no reputation but is still listed with its counts.
 */
import { scoreOf } from './reputation.ts'
import type { PeerRecord, Reputation } from './reputation.ts'
import type { Status } from '../library/index.ts'
import type { DatabaseSync } from 'node:sqlite'

export interface PeerReport extends PeerRecord {
  /** Its artifacts (votes excepted) this node decided, by their current status. */
  artifacts: Record<Status, number>
  /** Its votes this node decided (admitted as evidence or rejected). */
  votes: number
  /** Its artifacts refused before storage (deny list, replay, clock, compatibility…). */
  refused: number
}

const emptyCounts = (): Record<Status, number> => ({ quarantined: 0, trusted: 0, rejected: 0, revoked: 0 })

function stranger (peer: string, at: number): PeerRecord {
  const counts = { list: null, accepted: 0, rejected: 0, agree: 0, disagree: 0, violations: 0 }
  return { peer, note: null, ...counts, firstSeen: at, lastSeen: at, ...scoreOf(counts) }
}

export function peerReports (db: DatabaseSync, reputation: Reputation, self: string): PeerReport[] {
  const out = new Map<string, PeerReport>()
  const entry = (peer: string, at: number): PeerReport => {
    let r = out.get(peer)
    if (r == null) {
      r = { ...(reputation.get(peer) ?? stranger(peer, at)), artifacts: emptyCounts(), votes: 0, refused: 0 }
      out.set(peer, r)
    }
    r.firstSeen = Math.min(r.firstSeen, at)
    r.lastSeen = Math.max(r.lastSeen, at)
    return r
  }
  for (const p of reputation.all()) entry(p.peer, p.firstSeen)
  const decided = db.prepare(`SELECT a.author AS peer, a.kind = 'vote' AS vote, a.status AS status, count(*) AS n, min(d.at) AS first, max(d.at) AS last
    FROM trust_decisions d JOIN artifacts a ON a.cid = d.cid WHERE a.author != ? GROUP BY a.author, a.kind = 'vote', a.status`).all(self) as Array<{ peer: string, vote: number, status: Status, n: number, first: number, last: number }>
  for (const d of decided) {
    const r = entry(d.peer, d.first)
    r.lastSeen = Math.max(r.lastSeen, d.last)
    if (d.vote === 1) r.votes += d.n
    else r.artifacts[d.status] += d.n
  }
  const refused = db.prepare(`SELECT author AS peer, count(*) AS n, min(at) AS first, max(at) AS last FROM trust_refusals
    WHERE author IS NOT NULL AND author != ? GROUP BY author`).all(self) as Array<{ peer: string, n: number, first: number, last: number }>
  for (const f of refused) {
    const r = entry(f.peer, f.first)
    r.lastSeen = Math.max(r.lastSeen, f.last)
    r.refused += f.n
  }
  return [...out.values()].sort((a, b) => b.score - a.score || a.peer.localeCompare(b.peer))
}
