/**
 * What a person does to trust state: approve or reject what waits in quarantine, revoke their
 * own artifacts, allow or deny peers. A deny purges everything the peer authored and keeps
 * tombstones, so a replay of it is refused.
 */
import { createArtifact } from '../artifacts/index.ts'
import { ArtifactNotFoundError } from '../library/index.ts'
import { applyRevocation, commitDecision, journal } from './commit.ts'
import { RevocationRefusedError, InvalidTransitionError } from './errors.ts'
import { checkPeerId } from './reputation.ts'
import { inTransaction } from './tables.ts'
import type { TrustContext } from './context.ts'
import type { AdmitResult } from '../library/index.ts'
import type { PeerRecord } from './reputation.ts'
import type { Status, StoredArtifact } from '../library/index.ts'

function mustGet (ctx: TrustContext, cid: string): StoredArtifact {
  const a = ctx.library.get(cid)
  if (a == null) throw new ArtifactNotFoundError(cid)
  return a
}

/** Approve (→ trusted) or reject (→ rejected) by hand; this node signs a vote saying so. */
export async function judgeByUser (ctx: TrustContext, cid: string, verdict: 'approve' | 'reject', reason?: string): Promise<AdmitResult> {
  const a = mustGet(ctx, cid)
  const from: Status[] = verdict === 'approve' ? ['quarantined', 'rejected'] : ['quarantined', 'trusted']
  if (!from.includes(a.status)) throw new InvalidTransitionError(cid, a.status, verdict === 'approve' ? 'approved' : 'rejected')
  const status = verdict === 'approve' ? 'trusted' : 'rejected'
  const text = `${verdict === 'approve' ? 'approved' : 'rejected'} by the user${reason != null && reason !== '' ? `: ${reason}` : ''}`
  const c = await commitDecision(ctx, a, {
    status,
    code: `user-${verdict}`,
    reason: text,
    by: 'user',
    vote: { verdict: verdict === 'approve' ? 1 : -1, reason: `user-${verdict}` }
  }, undefined, from)
  return { cid, kind: a.kind, status: c.status, inserted: false, reason: c.reason }
}

export interface RevokeResult {
  target: string
  revocation: string
  revoked: string[]
}

/** Signs and applies a revocation of an artifact this node authored. */
export async function revokeOwn (ctx: TrustContext, cid: string, reason: string): Promise<RevokeResult> {
  const a = mustGet(ctx, cid)
  if (a.author !== ctx.self) throw new RevocationRefusedError(cid, a.author, ctx.self)
  const rev = await createArtifact('revocation', { target: a.cid, reason }, ctx.privateKey, { created: ctx.now() })
  ctx.library.put(rev, { status: 'trusted', shareable: true, reason: 'own revocation' })
  const stored = mustGet(ctx, rev.cid.toString())
  const revoked = inTransaction(ctx.db, () => {
    journal(ctx, stored.cid.toString(), 'trusted', { code: 'own', reason: 'own revocation', by: 'user' }, 'revocation', undefined, {})
    return applyRevocation(ctx, stored)
  })
  return { target: cid, revocation: rev.cid.toString(), revoked }
}

/** Removes every artifact `peer` authored (tombstoned: a replay is refused). Returns how many. */
export function purgeAuthor (ctx: TrustContext, peer: string, why: string): number {
  let n = 0
  for (const a of ctx.library.list({ author: peer })) {
    const cid = a.cid.toString()
    ctx.db.prepare('INSERT OR IGNORE INTO trust_tombstones (cid, reason, at) VALUES (?, ?, ?)').run(cid, why, ctx.now())
    ctx.library.remove(cid)
    ctx.db.prepare('DELETE FROM trust_decisions WHERE cid = ?').run(cid)
    n++
  }
  inTransaction(ctx.db, () => {
    ctx.db.prepare('DELETE FROM trust_votes WHERE voter = ?').run(peer)
    ctx.db.prepare('DELETE FROM trust_revocations WHERE author = ?').run(peer)
  })
  if (n > 0) ctx.log('purged %d artifact(s) by %s', n, peer)
  return n
}

export interface ListResult {
  peer: PeerRecord
  purged: number
}

export function denyPeer (ctx: TrustContext, peer: string, note?: string): ListResult {
  const id = checkPeerId(peer)
  const record = ctx.reputation.setList(id, 'deny', note)
  const purged = purgeAuthor(ctx, id, `author ${id} is deny-listed${note != null ? `: ${note}` : ''}`)
  return { peer: record, purged }
}

export function allowPeer (ctx: TrustContext, peer: string, note?: string): ListResult {
  return { peer: ctx.reputation.setList(checkPeerId(peer), 'allow', note), purged: 0 }
}

export function unlistPeer (ctx: TrustContext, peer: string): ListResult {
  return { peer: ctx.reputation.setList(checkPeerId(peer), null), purged: 0 }
}
