/**
 * Reading the trust journal: the decision this node made about an artifact (`trust_decisions`)
 * and the peers' votes it holds on it (`trust_votes`), each with the weight this node gives the
 * voter. What `baobab experience votes` and `trust` show is read here, never recomputed.
 */
import { tallyVotes } from './votes.ts'
import type { Reputation } from './reputation.ts'
import type { VoteTally } from './votes.ts'
import type { DatabaseSync } from 'node:sqlite'

export interface DecisionRecord {
  cid: string
  status: string
  stage: string
  code: string
  reason: string
  decidedBy: string
  /** This node's own signed vote for the decision, when it cast one. */
  voteCid: string | null
  checks: unknown
  at: number
}

export interface HeldVote {
  voter: string
  verdict: 1 | -1
  score: number | null
  reason: string
  voteCid: string
  created: number
  /** The weight this node gives the voter (0 for keys that earned nothing, 1 for itself). */
  weight: number
}

export function decisionOf (db: DatabaseSync, cid: string): DecisionRecord | undefined {
  const r = db.prepare('SELECT cid, status, stage, code, reason, decided_by, vote_cid, checks, at FROM trust_decisions WHERE cid = ?').get(cid) as
    {
      cid: string, status: string, stage: string, code: string, reason: string, decided_by: string, vote_cid: string | null, checks: string, at: number
    } | undefined
  if (r == null) return undefined
  return {
    cid: r.cid, status: r.status, stage: r.stage, code: r.code, reason: r.reason,
    decidedBy: r.decided_by, voteCid: r.vote_cid, checks: JSON.parse(r.checks) as unknown, at: r.at
  }
}

export function votesOn (db: DatabaseSync, target: string, reputation: Reputation, self: string, author: string): { votes: HeldVote[], tally: VoteTally } {
  const rows = db.prepare('SELECT voter, verdict, score, reason, vote_cid, created FROM trust_votes WHERE target = ? ORDER BY created').all(target) as
    Array<{ voter: string, verdict: number, score: number | null, reason: string, vote_cid: string, created: number }>
  const votes = rows.map(r => ({
    voter: r.voter,
    verdict: (r.verdict > 0 ? 1 : -1) as 1 | -1,
    score: r.score,
    reason: r.reason,
    voteCid: r.vote_cid,
    created: r.created,
    weight: r.voter === self ? 1 : reputation.weight(r.voter)
  }))
  return { votes, tally: tallyVotes(db, target, reputation, new Set([author, self])) }
}
