/**
 * Per-peer reputation, earned only by agreement with this node's own checks:
 * - an artifact a peer authored passes the local canary (or a person approves it) → `accepted`;
 *   fails a screen or the canary → `rejected` (passing cheap screens earns nothing: farmable);
 * - a peer's vote, received before this node's own verdict, agrees with it → `agree`;
 *   contradicts it → `disagree`;
 * - malformed bytes, rate-limit breaches → `violations`.
 *
 * score = (1 + good) / (2 + good + 3·bad), good = accepted + agree, bad = rejected + disagree +
 * violations/2: a stranger starts at ½, one bad event costs as much as three good ones.
 * Vote weight = 2·(score − ½), zero for strangers, scaled by min(1, events / 4) so a fresh key
 * (a sybil) weighs nothing until it has agreed with this node several times. Allow-listed peers
 * weigh 1, deny-listed 0.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { BAD_EVENT_WEIGHT, REPUTATION_EVIDENCE } from './constants.ts'
import { InvalidPeerIdError } from './errors.ts'
import { ensureTrustTables } from './tables.ts'
import type { DatabaseSync } from 'node:sqlite'

export type PeerList = 'allow' | 'deny'
export type ReputationEvent = 'accepted' | 'rejected' | 'agree' | 'disagree' | 'violations'

/** A peer's list entry and event counts, as stored (one row of `trust_peers`). */
interface PeerCounts extends Record<ReputationEvent, number> {
  peer: string
  list: PeerList | null
  note: string | null
}

export interface PeerRecord extends PeerCounts {
  firstSeen: number
  lastSeen: number
  /** 0..1; ½ for a stranger. */
  score: number
  /** Weight of this peer's votes, 0..1. */
  weight: number
}

interface Row extends PeerCounts {
  first_seen: number
  last_seen: number
}

const EVENTS: readonly ReputationEvent[] = ['accepted', 'rejected', 'agree', 'disagree', 'violations']

export function checkPeerId (peer: string): string {
  try {
    return peerIdFromString(peer).toString()
  } catch (err) {
    throw new InvalidPeerIdError(peer, { cause: err })
  }
}

export function scoreOf (r: Pick<PeerCounts, 'list' | ReputationEvent>): { score: number, weight: number } {
  if (r.list === 'deny') return { score: 0, weight: 0 }
  if (r.list === 'allow') return { score: 1, weight: 1 }
  const good = r.accepted + r.agree
  const bad = r.rejected + r.disagree + r.violations / 2
  const score = (1 + good) / (2 + good + BAD_EVENT_WEIGHT * bad)
  const evidence = Math.min(1, (good + bad) / REPUTATION_EVIDENCE)
  return { score, weight: Math.max(0, 2 * (score - 0.5)) * evidence }
}

export class Reputation {
  private readonly db: DatabaseSync
  private readonly now: () => number

  constructor (db: DatabaseSync, now: () => number = Date.now) {
    this.db = db
    this.now = now
    ensureTrustTables(db)
  }

  get (peer: string): PeerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM trust_peers WHERE peer = ?').get(peer) as Row | undefined
    return row == null ? undefined : toRecord(row)
  }

  /** 0..1, ½ for a peer never seen. */
  score (peer: string): number {
    return this.get(peer)?.score ?? 0.5
  }

  weight (peer: string): number {
    return this.get(peer)?.weight ?? 0
  }

  listOf (peer: string): PeerList | null {
    const row = this.db.prepare('SELECT list FROM trust_peers WHERE peer = ?').get(peer) as { list: PeerList | null } | undefined
    return row?.list ?? null
  }

  record (peer: string, event: ReputationEvent, amount = 1): void {
    if (!EVENTS.includes(event)) throw new RangeError(`unknown reputation event ${event}`)
    const now = this.now()
    this.db.prepare(`INSERT INTO trust_peers (peer, ${event}, first_seen, last_seen) VALUES (?, ?, ?, ?)
      ON CONFLICT(peer) DO UPDATE SET ${event} = ${event} + excluded.${event}, last_seen = excluded.last_seen`).run(peer, amount, now, now)
  }

  /** Puts a peer on the allow or deny list (null removes it from both). */
  setList (peer: string, list: PeerList | null, note?: string): PeerRecord {
    const id = checkPeerId(peer)
    const now = this.now()
    this.db.prepare(`INSERT INTO trust_peers (peer, list, note, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(peer) DO UPDATE SET list = excluded.list, note = excluded.note, last_seen = excluded.last_seen`).run(id, list, note ?? null, now, now)
    return this.get(id) as PeerRecord
  }

  /** Every peer with a record, best first. */
  all (): PeerRecord[] {
    const rows = this.db.prepare('SELECT * FROM trust_peers').all() as unknown as Row[]
    return rows.map(toRecord).sort((a, b) => b.score - a.score || a.peer.localeCompare(b.peer))
  }

  /**
   * P5 of gossipsub peer scoring: deny-listed −1000 (far below the graylist), allow-listed +10,
   * otherwise 40·(score − ½)·evidence in [−20, +20]: a peer whose artifacts keep failing local
   * checks drops under the gossip threshold (−10) and then the publish threshold.
   */
  gossipScore (peer: string): number {
    const r = this.get(peer)
    if (r == null) return 0
    if (r.list === 'deny') return -1000
    if (r.list === 'allow') return 10
    const good = r.accepted + r.agree
    const bad = r.rejected + r.disagree + r.violations / 2
    const evidence = Math.min(1, (good + bad) / REPUTATION_EVIDENCE)
    return 40 * (r.score - 0.5) * evidence
  }
}

function toRecord (row: Row): PeerRecord {
  const { score, weight } = scoreOf(row)
  return {
    peer: row.peer,
    list: row.list,
    note: row.note,
    accepted: row.accepted,
    rejected: row.rejected,
    agree: row.agree,
    disagree: row.disagree,
    violations: row.violations,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    score,
    weight
  }
}
