/**
 * The user removes an artifact (`baobab library rm`, `DELETE /api/library/:cid`): it leaves the
 * library with what trust kept about it (its decision, learned norms, the vote index), so no
 * stale record outlives it. Unlike a deny, nothing is tombstoned: it may be received again.
 */
import { ArtifactNotFoundError } from '../library/index.ts'
import { inTransaction } from './tables.ts'
import type { TrustContext } from './context.ts'
import type { Kind } from '../artifacts/index.ts'
import type { Status } from '../library/index.ts'

export interface RemoveResult {
  cid: string
  kind: Kind
  /** The status it had. */
  status: Status
}

export function removeByUser (ctx: TrustContext, cid: string): RemoveResult {
  const a = ctx.library.get(cid)
  if (a == null) throw new ArtifactNotFoundError(cid)
  inTransaction(ctx.db, () => {
    ctx.library.remove(cid)
    ctx.db.prepare('DELETE FROM trust_decisions WHERE cid = ?').run(cid)
    ctx.db.prepare('DELETE FROM trust_adapter_norms WHERE cid = ?').run(cid)
    ctx.db.prepare('DELETE FROM trust_votes WHERE vote_cid = ?').run(cid)
  })
  ctx.log('%s %s (%s) removed by the user', a.kind, cid, a.status)
  return { cid, kind: a.kind, status: a.status }
}
