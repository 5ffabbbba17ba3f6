/**
 * Peers' votes: one voice per key (the voter's latest vote on a target), each weighted by the
 * voter's reputation, which only agreement with this node's own checks can earn. A fresh key —
 * a sybil — weighs nothing, however many of them vote together. Votes act only when the
 * weighted share for one verdict reaches 2/3 and the total weight reaches about one known peer.
 * Votes also feed reputation: a vote that agrees with this node's local verdict earns `agree`,
 * one that contradicts it `disagree` — only votes received before that verdict, once each.
 */
import { MIN_VOTE_WEIGHT, VOTE_THRESHOLD } from './constants.ts'
import { fmt } from './screen-report.ts'
import type { Reputation } from './reputation.ts'
import type { VoteBody } from '../artifacts/index.ts'
import type { StoredArtifact } from '../library/index.ts'
import type { DatabaseSync } from 'node:sqlite'

export interface VoteTally {
  /** Distinct voters with a vote on the target (excluding the target's author and this node). */
  voters: number
  weightFor: number
  weightAgainst: number
  /** Weighted share of +1 votes (0 when nobody with weight voted). */
  support: number
  /** The verdict the votes reach, if any. */
  verdict: 1 | -1 | undefined
  /** Weighted median of the voters' scores, when some gave one. */
  medianScore: number | undefined
  summary: string
}

interface VoteRow {
  voter: string
  verdict: number
  score: number | null
  reason: string
  vote_cid: string
  judged: number
}

/** Indexes a trusted vote (keeps only the voter's latest on each target). */
export function indexVote (db: DatabaseSync, vote: StoredArtifact): void {
  const body = vote.envelope.body as VoteBody
  db.prepare(`INSERT INTO trust_votes (target, voter, vote_cid, verdict, score, reason, created, source_peer, received, judged)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
    ON CONFLICT(target, voter) DO UPDATE SET vote_cid = excluded.vote_cid, verdict = excluded.verdict, score = excluded.score,
      reason = excluded.reason, created = excluded.created, source_peer = excluded.source_peer, received = excluded.received, judged = 0
    WHERE excluded.created > trust_votes.created`).run(
    body.target.toString(), vote.author, vote.cid.toString(), body.verdict, body.score ?? null, body.reason, vote.created, vote.sourcePeer, vote.received)
}

export function tallyVotes (db: DatabaseSync, target: string, reputation: Reputation, exclude: ReadonlySet<string>): VoteTally {
  const rows = db.prepare('SELECT voter, verdict, score, reason, vote_cid, judged FROM trust_votes WHERE target = ?').all(target) as unknown as VoteRow[]
  let weightFor = 0
  let weightAgainst = 0
  let voters = 0
  const scores: Array<{ s: number, w: number }> = []
  for (const r of rows) {
    if (exclude.has(r.voter)) continue
    voters++
    const w = reputation.weight(r.voter)
    if (w <= 0) continue
    if (r.verdict > 0) weightFor += w
    else weightAgainst += w
    if (r.score != null && Number.isFinite(r.score)) scores.push({ s: r.score, w })
  }
  const total = weightFor + weightAgainst
  const support = total > 0 ? weightFor / total : 0
  let verdict: 1 | -1 | undefined
  if (total >= MIN_VOTE_WEIGHT) {
    if (support >= VOTE_THRESHOLD) verdict = 1
    else if (1 - support >= VOTE_THRESHOLD) verdict = -1
  }
  const medianScore = weightedMedian(scores)
  const summary = `${voters} voter(s), weight ${fmt(weightFor)} for / ${fmt(weightAgainst)} against` +
    (total > 0 ? ` (${fmt(100 * support)}% for; ${fmt(100 * VOTE_THRESHOLD)}% of ≥ ${MIN_VOTE_WEIGHT} needed)` : ' (no voter has earned weight yet)')
  return { voters, weightFor, weightAgainst, support, verdict, medianScore, summary }
}

function weightedMedian (xs: Array<{ s: number, w: number }>): number | undefined {
  if (xs.length === 0) return undefined
  const sorted = [...xs].sort((a, b) => a.s - b.s)
  const half = sorted.reduce((t, x) => t + x.w, 0) / 2
  let acc = 0
  for (const x of sorted) {
    acc += x.w
    if (acc >= half) return x.s
  }
  return sorted[sorted.length - 1]?.s
}

/**
 * Credits voters on `target` against this node's local verdict (+1 trusted, −1 rejected), once
 * per vote, when the verdict is made. Only votes this node *received* before deciding count: a
 * vote that arrives later could copy this node's published vote (and its signed date could be
 * back-dated), so it earns nothing. Returns the number of votes credited.
 */
export function judgeVotes (
  db: DatabaseSync, target: string, localVerdict: 1 | -1, reputation: Reputation, exclude: ReadonlySet<string>, decidedAt: number
): number {
  const rows = db.prepare('SELECT voter, verdict, judged, received FROM trust_votes WHERE target = ? AND judged = 0').all(target) as unknown as Array<VoteRow & { received: number }>
  let n = 0
  for (const r of rows) {
    if (exclude.has(r.voter) || r.received > decidedAt) continue
    reputation.record(r.voter, r.verdict === localVerdict ? 'agree' : 'disagree')
    n++
  }
  db.prepare('UPDATE trust_votes SET judged = 1 WHERE target = ?').run(target)
  return n
}
