/**
 * Checks made before an artifact is stored at all (a refusal writes nothing to the library):
 * rate limit of the delivering peer, deny lists, replays (tombstoned, revoked by the author,
 * superseded by the author, a vote older than the voter's latest), clocks far in the future,
 * and compatibility of an adapter with the local base model.
 */
import { MAX_CLOCK_SKEW_MS } from './constants.ts'
import type { Reputation } from './reputation.ts'
import type { RateLimiter } from './rate-limiter.ts'
import type { AdapterBody, BaseModel, SignedArtifact, VoteBody } from '../artifacts/index.ts'
import type { DatabaseSync } from 'node:sqlite'

export interface Refusal {
  stage: 'rate-limit' | 'deny-list' | 'replay' | 'revoked' | 'superseded' | 'clock' | 'compatibility'
  reason: string
}

export interface PrecheckContext {
  db: DatabaseSync
  reputation: Reputation
  limiter: RateLimiter
  /** The local base model, when this node has one (adapters for other bases are refused). */
  base?: Partial<BaseModel>
  /** Families accepted when no single base is configured (default: any). */
  families?: string[]
  now: () => number
  sourcePeer?: string
}

export function precheck (artifact: SignedArtifact, ctx: PrecheckContext): Refusal | undefined {
  const env = artifact.envelope
  const cid = artifact.cid.toString()
  if (ctx.sourcePeer != null && !ctx.limiter.tryTake(ctx.sourcePeer, 'admit')) {
    return { stage: 'rate-limit', reason: `peer ${ctx.sourcePeer} sent more artifacts than its admission limit allows` }
  }
  if (ctx.reputation.listOf(env.author) === 'deny') return { stage: 'deny-list', reason: `author ${env.author} is deny-listed` }
  if (ctx.sourcePeer != null && ctx.reputation.listOf(ctx.sourcePeer) === 'deny') return { stage: 'deny-list', reason: `source peer ${ctx.sourcePeer} is deny-listed` }

  const tomb = ctx.db.prepare('SELECT reason FROM trust_tombstones WHERE cid = ?').get(cid) as { reason: string } | undefined
  if (tomb != null) return { stage: 'replay', reason: `replay of an artifact this node removed: ${tomb.reason}` }
  const revs = ctx.db.prepare('SELECT revocation, author, reason FROM trust_revocations WHERE target = ?').all(cid) as Array<{ revocation: string, author: string, reason: string }>
  const rev = revs.find(r => r.author === env.author)
  if (rev != null) return { stage: 'revoked', reason: `revoked by its author (${rev.revocation}): ${rev.reason}` }
  const sup = ctx.db.prepare('SELECT by_cid FROM trust_superseded WHERE target = ? AND author = ?').get(cid, env.author) as { by_cid: string } | undefined
  if (sup != null) return { stage: 'superseded', reason: `replaced by its author's newer ${sup.by_cid}` }
  if (env.created > ctx.now() + MAX_CLOCK_SKEW_MS) {
    return { stage: 'clock', reason: `dated ${new Date(env.created).toISOString()}, more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead of this node's clock` }
  }
  if (env.kind === 'vote') {
    const body = env.body as VoteBody
    const latest = ctx.db.prepare('SELECT vote_cid, created FROM trust_votes WHERE target = ? AND voter = ?').get(body.target.toString(), env.author) as { vote_cid: string, created: number } | undefined
    if (latest != null && latest.created >= env.created && latest.vote_cid !== cid) {
      return { stage: 'replay', reason: `an older vote by ${env.author} on ${body.target.toString()}; its latest is ${latest.vote_cid}` }
    }
  }
  if (env.kind === 'adapter') {
    const base = (env.body as AdapterBody).base
    const local = ctx.base
    if (local?.family != null && base.family !== local.family) {
      return { stage: 'compatibility', reason: `made for base family ${base.family}; this node runs ${local.family}` }
    }
    if (local?.family == null && ctx.families != null && !ctx.families.includes(base.family)) {
      return { stage: 'compatibility', reason: `made for base family ${base.family}; this node accepts ${ctx.families.join(', ')}` }
    }
    if (local?.sha256 != null && base.sha256 != null && base.sha256 !== local.sha256) {
      return { stage: 'compatibility', reason: `made for base weights ${base.sha256.slice(0, 12)}…; this node's base is ${local.sha256.slice(0, 12)}…` }
    }
    if (local?.tokenizerSha256 != null && base.tokenizerSha256 != null && base.tokenizerSha256 !== local.tokenizerSha256) {
      return { stage: 'compatibility', reason: `made for tokenizer ${base.tokenizerSha256.slice(0, 12)}…; this node's is ${local.tokenizerSha256.slice(0, 12)}…` }
    }
  }
  return undefined
}
