/** The Trust component: resolves its parts once and exposes the pipeline, reputation, limits and actions. */
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadAdapterFile } from '../adapters/index.ts'
import { allowPeer, denyPeer, judgeByUser, purgeAuthor, revokeOwn, unlistPeer } from './actions.ts'
import { InvalidTrustConfigError } from './errors.ts'
import { guardTopic } from './gossip-guard.ts'
import { decisionOf, votesOn } from './journal.ts'
import { localChecks } from './local-checks.ts'
import { gossipScoring } from './gossip-score.ts'
import { peerReports } from './peer-report.ts'
import { TrustPipeline } from './pipeline.ts'
import { removeByUser } from './user-remove.ts'
import { POLICY_PRESETS } from './policy.ts'
import { RateLimiter } from './rate-limiter.ts'
import { Reputation } from './reputation.ts'
import { ensureTrustTables } from './tables.ts'
import type { ListResult, RevokeResult } from './actions.ts'
import type { AdapterCanary } from './canary.ts'
import type { BucketSpec, RateAction } from './constants.ts'
import type { ExperienceCheck, OutcomeReproducer, TrustContext } from './context.ts'
import type { GossipGuard, ValidatorHost } from './gossip-guard.ts'
import type { GossipScoring } from './gossip-score.ts'
import type { DecisionRecord, HeldVote } from './journal.ts'
import type { LocalCheckName, LocalChecks } from './local-checks.ts'
import type { RefusalRecord } from './pipeline.ts'
import type { AdmitResult } from '../library/index.ts'
import type { PolicyPreset } from './policy.ts'
import type { RemoveResult } from './user-remove.ts'
import type { PeerReport } from './peer-report.ts'
import type { LoraAdapter } from '../adapters/index.ts'
import type { BaseModel } from '../artifacts/index.ts'
import type { Library, Status, StoredArtifact } from '../library/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export interface TrustComponents {
  library: Library
  /** The node key: signs this node's votes and revocations. */
  privateKey: PrivateKey
  /** Local model canary for adapters (`modelCanary(llamaRuntime)`); absent: no canary. */
  canary?: AdapterCanary
  /** Local A/B check of experiences on this node's tasks (`experienceAbCheck`); absent: none. */
  experienceCheck?: ExperienceCheck
  /** Local reproduction of outcome claims; absent: none. */
  reproduceOutcome?: OutcomeReproducer
  /** Why a check above is absent (shown in held decisions and `status()`), e.g. "no local model to run the canary". */
  unavailable?: Partial<Record<LocalCheckName, string>>
  /** What runs a present experience check or reproducer (shown in `status()`). */
  runBy?: Partial<Record<LocalCheckName, string>>
  /** Default: `loadAdapterFile` from adapters. */
  loadAdapter?: (path: string) => Promise<LoraAdapter>
  /** Shared limiter (e.g. with the mesh); default: one built from `init.rateLimits`. */
  limiter?: RateLimiter
  now?: () => number
}

export interface TrustInit {
  policy?: PolicyPreset
  /** The local base model; adapters for another family (or other weights/tokenizer hashes) are refused. */
  base?: Partial<BaseModel>
  /** Families accepted when `base` is not given. */
  families?: string[]
  /** Peers put on the allow / deny list at start. */
  allow?: string[]
  deny?: string[]
  shareVotes?: boolean
  rateLimits?: Partial<Record<RateAction, BucketSpec>>
  /** Private directory for reassembled weight files (default: `trust-tmp` beside the blob store). */
  workDir?: string
}

export interface QuarantineEntry {
  cid: string
  kind: string
  author: string
  sourcePeer: string | null
  received: number
  reason: string | null
  code: string | null
}

export interface TrustStatus {
  policy: PolicyPreset
  canary: string | null
  /** The local checks this node can run (canary, experience A/B, outcome reproduction), or why not. */
  checks: LocalChecks
  byStatus: Record<Status, number>
  decisions: Record<string, number>
  refusals: number
  peers: { known: number, allowed: number, denied: number }
  limits: ReturnType<RateLimiter['stats']>
}

export class Trust {
  readonly admission: TrustPipeline
  readonly reputation: Reputation
  readonly limiter: RateLimiter
  readonly policy: PolicyPreset
  private readonly ctx: TrustContext

  constructor (components: TrustComponents, init: TrustInit = {}) {
    const policy = init.policy ?? 'community'
    if (!POLICY_PRESETS.includes(policy)) throw new InvalidTrustConfigError('policy', `must be one of ${POLICY_PRESETS.join(', ')}`)
    const db = components.library.db
    ensureTrustTables(db)
    const now = components.now ?? Date.now
    this.reputation = new Reputation(db, now)
    this.limiter = components.limiter ?? new RateLimiter({
      ...(init.rateLimits != null ? { limits: init.rateLimits } : {}),
      exempt: peer => this.reputation.listOf(peer) === 'allow',
      onViolation: peer => { this.reputation.record(peer, 'violations', 0.25) }
    })
    this.policy = policy
    this.ctx = {
      library: components.library,
      db,
      self: peerIdFromPrivateKey(components.privateKey).toString(),
      privateKey: components.privateKey,
      reputation: this.reputation,
      limiter: this.limiter,
      preset: policy,
      canary: components.canary,
      experienceCheck: components.experienceCheck,
      reproduceOutcome: components.reproduceOutcome,
      checks: localChecks({
        canary: components.canary?.id,
        experience: components.experienceCheck != null ? (components.runBy?.experience ?? 'local tasks') : undefined,
        reproduction: components.reproduceOutcome != null ? (components.runBy?.reproduction ?? 'local evaluation') : undefined
      }, components.unavailable),
      loadAdapter: components.loadAdapter ?? loadAdapterFile,
      base: init.base,
      families: init.families,
      shareVotes: init.shareVotes ?? true,
      now,
      workDir: init.workDir ?? join(dirname(components.library.blobs.dir), 'trust-tmp'),
      log: logger('baobab:trust')
    }
    for (const p of init.allow ?? []) if (this.reputation.listOf(p) == null) allowPeer(this.ctx, p)
    for (const p of init.deny ?? []) if (this.reputation.listOf(p) !== 'deny') denyPeer(this.ctx, p)
    mkdirSync(this.ctx.workDir, { recursive: true })
    this.admission = new TrustPipeline(this.ctx)
  }

  get self (): string { return this.ctx.self }

  /** Gossipsub `scoreParams`/`scoreThresholds`/`allowedTopics` with this node's reputation as P5. */
  gossip (topics: string[]): GossipScoring {
    return gossipScoring({ topics, appScore: peer => this.reputation.gossipScore(peer) })
  }

  /**
   * Wraps the validator of `topic` on a started gossipsub with this node's per-topic limits
   * (size, per-peer rate, deny list); call after the mesh has installed its own validator.
   */
  guardGossip (pubsub: ValidatorHost, topic: string): GossipGuard {
    const limits = this.gossip([topic]).topicLimits[topic]
    return guardTopic(
      pubsub, topic, { limiter: this.limiter, reputation: this.reputation }, limits ?? { maxMessageBytes: 1024, perPeerRate: 5, perPeerBurst: 50 }
    )
  }

  /**
   * After a restart: purges deny-listed authors' leftovers and reviews everything still in
   * quarantine (an admission cut short by a crash resumes here).
   */
  async recover (options: { signal?: AbortSignal } = {}): Promise<AdmitResult[]> {
    // weight files reassembled by an admission that was cut short
    for (const d of readdirSync(this.ctx.workDir)) if (d.startsWith('baobab-trust-')) rmSync(join(this.ctx.workDir, d), { recursive: true, force: true })
    for (const p of this.reputation.all().filter(r => r.list === 'deny')) purgeAuthor(this.ctx, p.peer, `author ${p.peer} is deny-listed`)
    const out: AdmitResult[] = []
    for (const a of this.ctx.library.list({ status: 'quarantined' })) {
      options.signal?.throwIfAborted()
      out.push(await this.admission.review(a.cid.toString(), options.signal))
    }
    await this.admission.settled()
    return out
  }

  quarantined (): QuarantineEntry[] {
    const code = this.ctx.db.prepare('SELECT code FROM trust_decisions WHERE cid = ?')
    return this.ctx.library.list({ status: 'quarantined' }).map((a: StoredArtifact) => ({
      cid: a.cid.toString(),
      kind: a.kind,
      author: a.author,
      sourcePeer: a.sourcePeer,
      received: a.received,
      reason: a.reason,
      code: (code.get(a.cid.toString()) as { code: string } | undefined)?.code ?? null
    }))
  }

  async approve (cid: string, reason?: string): Promise<AdmitResult> { return judgeByUser(this.ctx, cid, 'approve', reason) }

  async reject (cid: string, reason?: string): Promise<AdmitResult> { return judgeByUser(this.ctx, cid, 'reject', reason) }

  async revoke (cid: string, reason: string): Promise<RevokeResult> { return revokeOwn(this.ctx, cid, reason) }

  /** The user removes an artifact, and what trust kept about it. */
  remove (cid: string): RemoveResult { return removeByUser(this.ctx, cid) }

  /** `deny` purges the peer's artifacts; `allow` makes its votes count fully; `null` clears either. */
  setPeer (peer: string, list: 'allow' | 'deny' | null, note?: string): ListResult {
    if (list === 'deny') return denyPeer(this.ctx, peer, note)
    if (list === 'allow') return allowPeer(this.ctx, peer, note)
    return unlistPeer(this.ctx, peer)
  }

  /** Every peer with a reputation record or whose artifacts or votes this node decided, with counts. */
  peers (): PeerReport[] { return peerReports(this.ctx.db, this.reputation, this.ctx.self) }

  /** The decision this node recorded about `cid` (undefined when it never judged it). */
  decision (cid: string): DecisionRecord | undefined { return decisionOf(this.ctx.db, cid) }

  /** The votes this node holds on `cid`, with each voter's weight here and what they add up to. */
  votesOn (cid: string): { votes: HeldVote[], tally: ReturnType<typeof votesOn>['tally'] } {
    const a = this.ctx.library.get(cid)
    return votesOn(this.ctx.db, cid, this.reputation, this.ctx.self, a?.author ?? '')
  }

  refusals (limit = 50): RefusalRecord[] {
    return this.ctx.db.prepare('SELECT at, cid, kind, author, peer, source, stage, reason FROM trust_refusals ORDER BY id DESC LIMIT ?').all(limit) as unknown as RefusalRecord[]
  }

  status (): TrustStatus {
    const byStatus = { quarantined: 0, trusted: 0, rejected: 0, revoked: 0 }
    for (const r of this.ctx.db.prepare('SELECT status, count(*) AS n FROM artifacts GROUP BY status').all() as Array<{ status: Status, n: number }>) byStatus[r.status] = r.n
    const decisions: Record<string, number> = {}
    for (const r of this.ctx.db.prepare('SELECT code, count(*) AS n FROM trust_decisions GROUP BY code').all() as Array<{ code: string, n: number }>) decisions[r.code] = r.n
    const peers = this.reputation.all()
    const refusals = (this.ctx.db.prepare('SELECT count(*) AS n FROM trust_refusals').get() as { n: number }).n
    return {
      policy: this.policy,
      canary: this.ctx.canary?.id ?? null,
      checks: this.ctx.checks,
      byStatus,
      decisions,
      refusals,
      peers: { known: peers.length, allowed: peers.filter(p => p.list === 'allow').length, denied: peers.filter(p => p.list === 'deny').length },
      limits: this.limiter.stats()
    }
  }

  /**
   * May this CID be served to peers and routed to? An artifact: only when trusted (never
   * quarantined, rejected or revoked). A weight chunk: only when a trusted adapter uses it.
   */
  isServable (cid: string): boolean {
    const row = this.ctx.db.prepare('SELECT status FROM artifacts WHERE cid = ?').get(cid) as { status: Status } | undefined
    if (row != null) return row.status === 'trusted'
    return this.ctx.db.prepare(`SELECT 1 FROM artifact_chunks c JOIN artifacts a ON a.cid = c.cid
      WHERE c.chunk = ? AND a.status = 'trusted' LIMIT 1`).get(cid) != null
  }
}

export function createTrust (components: TrustComponents, init: TrustInit = {}): Trust {
  return new Trust(components, init)
}
