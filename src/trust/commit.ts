/**
 * Writing a decision. This node's own vote is signed and stored first; then one transaction sets
 * the status and reason, journals the decision with its checks, credits reputations, records
 * learned adapter norms, and applies what a trusted artifact means (a vote is indexed, a
 * revocation revokes its target, a replacement supersedes). A crash before the transaction
 * leaves the artifact quarantined (recovery reviews it again and reuses the vote); after it,
 * the whole decision.
 */
import { createArtifact } from '../artifacts/index.ts'
import { baseKey } from './adapter-screen.ts'
import { inTransaction } from './tables.ts'
import { indexVote, judgeVotes } from './votes.ts'
import type { TrustContext } from './context.ts'
import type { Screening } from './screening.ts'
import type { DecidedBy, PolicyDecision } from './policy.ts'
import type { AdapterBody, ExperienceBody, RevocationBody, VoteBody } from '../artifacts/index.ts'
import type { Status, StoredArtifact } from '../library/index.ts'

export interface CommitResult {
  status: Status
  reason: string
  /** False when the artifact was gone or no longer in a state this decision may change. */
  changed: boolean
  /** Targets revoked by this artifact (a trusted revocation). */
  revoked: string[]
  /** Peers' votes judged against this node's verdict (reputation changed). */
  judged: number
  voteCid?: string
}

export function journal (ctx: TrustContext, cid: string, status: Status, d: { code: string, reason: string, by: DecidedBy | 'author' }, stage: string, voteCid: string | undefined, checks: unknown): void {
  ctx.db.prepare(`INSERT INTO trust_decisions (cid, status, stage, code, reason, decided_by, vote_cid, checks, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(cid) DO UPDATE SET status = excluded.status, stage = excluded.stage, code = excluded.code, reason = excluded.reason,
      decided_by = excluded.decided_by, vote_cid = excluded.vote_cid, checks = excluded.checks, at = excluded.at`).run(
    cid, status, stage, d.code, d.reason, d.by, voteCid ?? null, JSON.stringify(checks), ctx.now())
}

/**
 * This node's vote on `target`: reuses its indexed vote when the verdict is the same, else signs
 * a new one. The first vote is dated at the target's arrival, so signing again after a crash
 * (Ed25519 is deterministic) gives the same bytes and CID: never two votes for one decision.
 */
export async function ownVote (
  ctx: TrustContext, target: StoredArtifact, vote: { verdict: 1 | -1, reason: string }, evidence: Record<string, string | number | boolean>
): Promise<StoredArtifact> {
  const cid = target.cid.toString()
  const prev = ctx.db.prepare('SELECT vote_cid, verdict, created FROM trust_votes WHERE target = ? AND voter = ?').get(cid, ctx.self) as { vote_cid: string, verdict: number, created: number } | undefined
  if (prev != null && prev.verdict === vote.verdict) {
    const v = ctx.library.get(prev.vote_cid)
    if (v != null) return v
  }
  const created = prev != null ? Math.max(ctx.now(), prev.created + 1) : target.received
  const body: VoteBody = {
    target: target.cid, verdict: vote.verdict, reason: vote.reason.slice(0, 64), ...(Object.keys(evidence).length > 0 ? { evidence } : {})
  }
  const a = await createArtifact('vote', body, ctx.privateKey, { created })
  ctx.library.put(a, { status: 'trusted', shareable: ctx.shareVotes, reason: `own vote: ${vote.reason}` })
  return ctx.library.get(a.cid.toString()) as StoredArtifact
}

/** Inside a transaction: a trusted revocation revokes its target when signed by the target's author. */
export function applyRevocation (ctx: TrustContext, rev: StoredArtifact): string[] {
  const body = rev.envelope.body as RevocationBody
  const target = body.target.toString()
  ctx.db.prepare('INSERT OR IGNORE INTO trust_revocations (target, revocation, author, reason, at) VALUES (?, ?, ?, ?, ?)').run(target, rev.cid.toString(), rev.author, body.reason, ctx.now())
  const t = ctx.library.get(target)
  if (t == null || t.author !== rev.author || t.status === 'revoked') return []
  const reason = `revoked by its author: ${body.reason}`
  ctx.library.setStatus(target, 'revoked', reason)
  ctx.library.setShareable(target, false)
  journal(ctx, target, 'revoked', { code: 'revoked', reason, by: 'author' }, 'revocation', undefined, { revocation: rev.cid.toString() })
  return [target]
}

export async function commitDecision (ctx: TrustContext, stored: StoredArtifact, decision: PolicyDecision, ev: Screening | undefined, allowFrom: Status[] = ['quarantined']): Promise<CommitResult> {
  const cid = stored.cid.toString()
  let vote: StoredArtifact | undefined
  if (decision.vote != null && decision.status !== 'quarantined') {
    const evidence: Record<string, string | number | boolean> = { ...(ev?.screen.evidence ?? {}) }
    if (ctx.canary != null && typeof ev?.canary === 'object') evidence.model = ctx.canary.id.slice(0, 64)
    vote = await ownVote(ctx, stored, decision.vote, Object.fromEntries(Object.entries(evidence).slice(0, 8)))
  }
  return inTransaction(ctx.db, (): CommitResult => {
    const now = ctx.library.get(cid)
    if (now == null || !allowFrom.includes(now.status)) {
      return { status: now?.status ?? 'rejected', reason: now?.reason ?? 'removed', changed: false, revoked: [], judged: 0 }
    }
    ctx.library.setStatus(cid, decision.status, decision.reason)
    // what this node trusts it relays, every kind alike (knowledge travels without its author);
    // what it holds back or rejects it never offers
    ctx.library.setShareable(cid, decision.status === 'trusted')
    const checks = ev == null ? {} : { screen: ev.screen.checks, canary: typeof ev.canary === 'object' ? ev.canary : ev.canary, votes: ev.votes?.summary }
    journal(ctx, cid, decision.status, decision, decision.by === 'local' && typeof ev?.canary === 'object' ? 'canary' : 'screen', vote?.cid.toString(), checks)
    if (vote != null) indexVote(ctx.db, vote)
    const result: CommitResult = {
      status: decision.status, reason: decision.reason, changed: true, revoked: [], judged: 0, ...(vote != null ? { voteCid: vote.cid.toString() } : {})
    }
    if (decision.status === 'quarantined') return result

    const ownJudgement = decision.by === 'local' || decision.by === 'user'
    if (ownJudgement && stored.author !== ctx.self) {
      // credit is earned only where faking is costly: a passed canary, or a person's approval;
      // passing cheap screens (a clean sentence, a well-formed vote) earns nothing
      if (decision.status === 'rejected') ctx.reputation.record(stored.author, 'rejected')
      else if (decision.code === 'canary-pass' || decision.by === 'user') ctx.reputation.record(stored.author, 'accepted')
      if (decision.status === 'rejected' && stored.sourcePeer != null && stored.sourcePeer !== stored.author) ctx.reputation.record(stored.sourcePeer, 'rejected', 0.5)
    }
    if (ownJudgement) {
      result.judged = judgeVotes(ctx.db, cid, decision.status === 'trusted' ? 1 : -1, ctx.reputation, new Set([ctx.self, stored.author]), ctx.now())
    }
    // revocations of this artifact by someone other than its author are void
    for (const r of ctx.db.prepare('SELECT revocation FROM trust_revocations WHERE target = ? AND author != ?').all(cid, stored.author) as Array<{ revocation: string }>) {
      const rev = ctx.library.get(r.revocation)
      if (rev != null && rev.status === 'trusted') {
        ctx.library.setStatus(r.revocation, 'rejected', `screen: not signed by ${cid}'s author`)
        ctx.library.setShareable(r.revocation, false)
        ctx.reputation.record(rev.author, 'rejected')
      }
    }
    if (decision.status !== 'trusted') return result

    if (stored.kind === 'adapter') {
      const base = baseKey(stored.envelope.body as AdapterBody)
      const ins = ctx.db.prepare('INSERT OR REPLACE INTO trust_adapter_norms (cid, base, target, n_in, n_out, rank, frobenius, spectral) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      for (const n of ev?.norms ?? []) ins.run(cid, base, n.kind, n.nIn, n.nOut, n.rank, n.frobenius, n.spectral)
    } else if (stored.kind === 'vote') {
      indexVote(ctx.db, stored)
    } else if (stored.kind === 'revocation') {
      result.revoked = applyRevocation(ctx, stored)
    } else if (stored.kind === 'experience') {
      const ins = ctx.db.prepare('INSERT OR IGNORE INTO trust_superseded (target, by_cid, author) VALUES (?, ?, ?)')
      for (const r of (stored.envelope.body as ExperienceBody).replaces ?? []) ins.run(r.toString(), cid, stored.author)
    }
    return result
  })
}
