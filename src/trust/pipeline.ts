/**
 * The admission pipeline: one code path for artifacts from peers and from CAR files.
 * decode + limits → signature → CID (decodeArtifact) → refusals before storage (rate limit,
 * deny lists, replays, clock, base compatibility) → stored `quarantined` → kind screen →
 * canary → own vote → policy decision, with the reason recorded in the library's reason column
 * and the checks in `trust_decisions`. It implements the library's `Admission` contract, so
 * `createMesh({ …, admission: trust.admission })` puts every received artifact through it.
 */
import { decodeArtifact } from '../artifacts/index.ts'
import { commitDecision } from './commit.ts'
import { screenArtifact } from './screening.ts'
import { missingCheck } from './local-checks.ts'
import { decide } from './policy.ts'
import { precheck } from './prechecks.ts'
import { MAX_REFUSAL_LOG } from './constants.ts'
import { AdmissionRefusedError } from './errors.ts'
import type { TrustContext } from './context.ts'
import type { Refusal } from './prechecks.ts'
import type { SignedArtifact } from '../artifacts/index.ts'
import type { Admission, AdmissionSource, AdmitOptions, AdmitResult, Status, StoredArtifact } from '../library/index.ts'

export interface RefusalRecord {
  at: number
  cid: string | null
  kind: string | null
  author: string | null
  peer: string | null
  source: string
  stage: string
  reason: string
}

function sourceText (s: AdmissionSource): string {
  return s.type === 'peer' ? `peer ${s.peer}` : s.type === 'car' ? `car ${s.path}` : 'local'
}

export class TrustPipeline implements Admission {
  readonly events = new EventTarget()
  private readonly ctx: TrustContext
  private readonly inflight = new Map<string, Promise<AdmitResult>>()
  private awaitingTimer: Promise<void> | undefined

  constructor (ctx: TrustContext) {
    this.ctx = ctx
  }

  /** Decodes and verifies `bytes`, then admits them. Bad bytes throw their named error (and cost the peer reputation). */
  async admit (bytes: Uint8Array, options: AdmitOptions): Promise<AdmitResult> {
    options.signal?.throwIfAborted()
    let artifact: SignedArtifact
    try {
      artifact = await decodeArtifact(bytes, options.expectedCid != null ? { expectedCid: options.expectedCid } : {})
    } catch (err) {
      this.reportMalformed(options.source, err, options.expectedCid)
      throw err
    }
    return this.admitVerified(artifact, options)
  }

  /** Records bytes a peer sent that failed to decode or verify (reputation violation + refusal log). */
  reportMalformed (source: AdmissionSource, err: unknown, cid?: string): void {
    const e = err as Error
    this.logRefusal({ cid: cid ?? null, kind: null, author: null, source, stage: 'decode', reason: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}` })
    if (source.type === 'peer') this.ctx.reputation.record(source.peer, 'violations')
  }

  async admitVerified (artifact: SignedArtifact, options: AdmitOptions): Promise<AdmitResult> {
    const cid = artifact.cid.toString()
    const kind = artifact.envelope.kind
    const existing = this.ctx.library.get(cid)
    if (existing != null) return { cid, kind, status: existing.status, inserted: false, reason: existing.reason }
    const sourcePeer = options.source.type === 'peer' ? options.source.peer : undefined
    const refusal = precheck(artifact, {
      db: this.ctx.db,
      reputation: this.ctx.reputation,
      limiter: this.ctx.limiter,
      now: this.ctx.now,
      ...(this.ctx.base != null ? { base: this.ctx.base } : {}),
      ...(this.ctx.families != null ? { families: this.ctx.families } : {}),
      ...(sourcePeer != null ? { sourcePeer } : {})
    })
    if (refusal != null) {
      const refused = this.refuse(artifact, options.source, refusal)
      if (options.throwOnRefusal === true) throw new AdmissionRefusedError(refusal.stage, refusal.reason, cid)
      return refused
    }
    const put = this.ctx.library.put(artifact, { status: 'quarantined', shareable: false, ...(sourcePeer != null ? { sourcePeer } : {}), reason: `quarantined: received from ${sourceText(options.source)}` })
    if (!put.inserted) {
      const now = this.ctx.library.get(cid)
      return { cid, kind, status: now?.status ?? 'quarantined', inserted: false, reason: now?.reason ?? null }
    }
    this.emit('artifact:quarantined', { cid, kind, status: 'quarantined', inserted: true, reason: 'quarantined' })
    const result = await this.review(cid, options.signal)
    return { ...result, inserted: true }
  }

  /**
   * Evaluates a quarantined artifact again and applies the policy (after a restart, or when new
   * votes or reproductions arrived). With `reconsider`, a trusted outcome may be rejected.
   */
  async review (cid: string, signal?: AbortSignal, reconsider = false): Promise<AdmitResult> {
    const running = this.inflight.get(cid)
    if (running != null) return running
    const p = this.reviewOnce(cid, signal, reconsider).finally(() => { this.inflight.delete(cid) })
    this.inflight.set(cid, p)
    return p
  }

  private async reviewOnce (cid: string, signal: AbortSignal | undefined, reconsider: boolean): Promise<AdmitResult> {
    const stored = this.ctx.library.get(cid)
    if (stored == null) throw new Error(`review of ${cid}: not in the library`)
    const allowFrom: Status[] = reconsider ? ['quarantined', 'trusted'] : ['quarantined']
    if (!allowFrom.includes(stored.status)) return { cid, kind: stored.kind, status: stored.status, inserted: false, reason: stored.reason }
    const ev = await screenArtifact(this.ctx, stored, signal)
    const unavailable = missingCheck(this.ctx.checks, stored.kind, ev.hasWeights)
    const decision = decide(this.ctx.preset, {
      kind: stored.kind,
      hasWeights: ev.hasWeights,
      authorList: this.ctx.reputation.listOf(stored.author),
      sourceList: stored.sourcePeer != null ? this.ctx.reputation.listOf(stored.sourcePeer) : null,
      screen: ev.screen,
      canary: ev.canary,
      votes: ev.votes,
      ...(unavailable != null ? { unavailable } : {})
    })
    if (reconsider && stored.status === 'trusted' && decision.status !== 'rejected') {
      return { cid, kind: stored.kind, status: stored.status, inserted: false, reason: stored.reason }
    }
    if (decision.status === 'quarantined' && stored.reason === decision.reason) {
      return { cid, kind: stored.kind, status: 'quarantined', inserted: false, reason: stored.reason }
    }
    const c = await commitDecision(this.ctx, stored, decision, ev, allowFrom)
    const result: AdmitResult = { cid, kind: stored.kind, status: c.status, inserted: false, reason: c.reason }
    if (!c.changed) return result
    this.ctx.log('%s %s %s: %s', stored.kind, cid, c.status, c.reason)
    if (c.status === 'trusted') this.emit('artifact:admitted', result)
    if (c.status === 'rejected') this.emit('artifact:rejected', result)
    for (const t of c.revoked) this.emit('artifact:revoked', { cid: t, kind: this.ctx.library.get(t)?.kind ?? 'adapter', status: 'revoked', inserted: false, reason: c.reason })
    await this.afterDecision(stored, c.status, c.judged, signal)
    return result
  }

  /** What a new decision unblocks: votes and reproductions may settle what waits in quarantine. */
  private async afterDecision (stored: StoredArtifact, status: Status, judged: number, signal?: AbortSignal): Promise<void> {
    if (status !== 'trusted' && judged === 0) return
    const body = stored.envelope.body as { target?: { toString(): string } }
    if (status === 'trusted' && (stored.kind === 'vote' || stored.kind === 'reproduction') && body.target != null) {
      const target = this.ctx.library.get(body.target.toString())
      if (target != null && (target.status === 'quarantined' || (stored.kind === 'reproduction' && target.status === 'trusted'))) {
        await this.review(target.cid.toString(), signal, stored.kind === 'reproduction')
      }
    }
    if (judged > 0) this.scheduleAwaiting()
  }

  /** Reputations changed: artifacts waiting for votes are looked at again (once, batched). */
  private scheduleAwaiting (): void {
    if (this.awaitingTimer != null) return
    this.awaitingTimer = Promise.resolve().then(async () => {
      this.awaitingTimer = undefined
      const rows = this.ctx.db.prepare(`SELECT d.cid FROM trust_decisions d JOIN artifacts a ON a.cid = d.cid
        WHERE a.status = 'quarantined' AND d.code = 'awaiting-votes' AND EXISTS (SELECT 1 FROM trust_votes v WHERE v.target = d.cid)`).all() as Array<{ cid: string }>
      for (const { cid } of rows) {
        try {
          await this.review(cid)
        } catch (err) {
          this.ctx.log.error('review of %s failed: %e', cid, err)
        }
      }
    })
  }

  /** Resolves when the batched re-reviews scheduled so far have run. */
  async settled (): Promise<void> {
    while (this.awaitingTimer != null || this.inflight.size > 0) {
      await this.awaitingTimer
      await Promise.allSettled([...this.inflight.values()])
    }
  }

  private refuse (artifact: SignedArtifact, source: AdmissionSource, r: Refusal): AdmitResult {
    const cid = artifact.cid.toString()
    const env = artifact.envelope
    this.logRefusal({ cid, kind: env.kind, author: env.author, source, stage: r.stage, reason: r.reason })
    if (source.type === 'peer' && r.stage !== 'compatibility' && r.stage !== 'rate-limit') this.ctx.reputation.record(source.peer, 'violations', 0.5)
    // chunks fetched for a refused adapter are not kept unless another artifact uses them
    if (env.kind === 'adapter') {
      const used = this.ctx.db.prepare('SELECT 1 FROM artifact_chunks WHERE chunk = ? LIMIT 1')
      for (const c of (env.body as { chunks: Array<{ toString(): string }> }).chunks) {
        const chunk = c.toString()
        if (used.get(chunk) == null && this.ctx.library.blobs.has(chunk)) this.ctx.library.blobs.remove(chunk)
      }
    }
    const result: AdmitResult = { cid, kind: env.kind, status: 'rejected', inserted: false, reason: `refused (${r.stage}): ${r.reason}`, refused: r.stage }
    this.ctx.log('refused %s %s: %s', env.kind, cid, result.reason)
    this.emit('artifact:rejected', result)
    return result
  }

  private logRefusal (r: Omit<RefusalRecord, 'at' | 'peer' | 'source'> & { source: AdmissionSource }): void {
    const peer = r.source.type === 'peer' ? r.source.peer : null
    this.ctx.db.prepare('INSERT INTO trust_refusals (at, cid, kind, author, peer, source, stage, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(this.ctx.now(), r.cid, r.kind, r.author, peer, sourceText(r.source), r.stage, r.reason)
    this.ctx.db.prepare('DELETE FROM trust_refusals WHERE id <= (SELECT max(id) FROM trust_refusals) - ?').run(MAX_REFUSAL_LOG)
  }

  private emit (type: string, detail: AdmitResult): void {
    this.events.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
