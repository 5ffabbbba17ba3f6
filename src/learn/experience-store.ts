/**
 * The experience library: ADD / UPDATE / DELETE / MERGE over signed `experience` artifacts, with
 * near-duplicate merging (embedding cosine > threshold), 1-bit sketches and an operation log
 * (`learn_ops`) that records where every experience came from.
 *
 * Artifacts are immutable: UPDATE and MERGE write a new experience whose `replaces` lists the old
 * ones; DELETE writes a signed `revocation` for the node's own experiences and marks a peer's
 * experience `rejected` locally.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createArtifact, parseCid } from '../artifacts/index.ts'
import { CachedEmbedder, cosinePacked as cosine, unpack } from '../embedding/index.ts'
import { DEFAULT_DEDUP_THRESHOLD, MAX_TAGS } from './constants.ts'
import { ExperienceNotFoundError, InvalidLearnOptionsError } from './errors.ts'
import { experienceState } from './experience-state.ts'
import { normalizeExperienceText, validateConfidence, validateDomain, validateExperienceText, validateTags } from './experience-text.ts'
import { sketchCosine, sketchEmbedding } from './sketch.ts'
import type { ExperienceState, ExperienceView } from './experience-state.ts'
import type { ExperienceBody } from '../artifacts/index.ts'
import type { Library } from '../library/index.ts'
import type { Embedder } from '../embedding/index.ts'
import type { PrivateKey } from '@libp2p/interface'

const log = logger('baobab:learn:store')

export type OpKind = 'ADD' | 'UPDATE' | 'DELETE' | 'MERGE' | 'NONE'
/** Who asked for an operation: the CLI/user, the learning loop, consolidation, or a peer. */
export type OpOrigin = 'user' | 'learn' | 'consolidate' | 'peer'

export interface ExperienceInput {
  text: string
  domain: string
  tags?: string[]
  confidence?: number
  evidence?: { groups: number, meanReward: number }
}

export interface OpResult {
  op: OpKind
  /** The experience written (ADD/UPDATE/MERGE) or deleted (DELETE). */
  cid?: string
  /** Experiences this operation retired. */
  replaced: string[]
  /** For a MERGE caused by ADD: the existing experience it matched and their cosine. */
  matched?: { cid: string, cosine: number }
  reason?: string
}

export interface OpRecord {
  seq: number
  op: OpKind
  cid: string | null
  sources: string[]
  origin: OpOrigin
  reason: string | null
  at: number
}

export interface ExperienceStoreInit {
  library: Library
  embedder: Embedder
  privateKey: PrivateKey
  /** Cosine above which an added experience merges into an existing one (default 0.9). */
  dedupThreshold?: number
  clock?: () => number
}

export interface OpOptions {
  origin?: OpOrigin
  reason?: string
  signal?: AbortSignal
}

export class ExperienceStore {
  readonly library: Library
  readonly embeddings: CachedEmbedder
  readonly self: string
  readonly dedupThreshold: number
  readonly embedder: Embedder
  private readonly privateKey: PrivateKey
  private readonly clock: () => number

  constructor (init: ExperienceStoreInit) {
    this.library = init.library
    this.embedder = init.embedder
    this.privateKey = init.privateKey
    this.self = peerIdFromPrivateKey(init.privateKey).toString()
    this.clock = init.clock ?? Date.now
    this.dedupThreshold = init.dedupThreshold ?? DEFAULT_DEDUP_THRESHOLD
    if (!(this.dedupThreshold > 0 && this.dedupThreshold <= 1)) throw new InvalidLearnOptionsError('dedupThreshold', 'must be in (0, 1]')
    this.embeddings = new CachedEmbedder(init.embedder, { db: init.library.db, maxEntries: 8192 })
    init.library.db.exec(`CREATE TABLE IF NOT EXISTS learn_ops (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, cid TEXT, sources TEXT NOT NULL,
      origin TEXT NOT NULL, reason TEXT, at INTEGER NOT NULL) STRICT`)
  }

  state (): ExperienceState {
    return experienceState(this.library, this.self)
  }

  /** Every experience with its status; `active` ones are the ones retrieval may use. */
  list (query: { domain?: string, activeOnly?: boolean } = {}): ExperienceView[] {
    return this.state().views.filter(v => (query.domain == null || v.domain === query.domain) && (query.activeOnly !== true || v.active))
  }

  active (domain?: string): ExperienceView[] {
    return this.list({ activeOnly: true, ...(domain != null ? { domain } : {}) })
  }

  get (cid: string): ExperienceView {
    const v = this.state().byCid.get(cid)
    if (v == null) throw new ExperienceNotFoundError(cid)
    return v
  }

  /** Active experiences in `domain` most similar to `text`, best first. */
  async nearest (
    text: string, domain: string, options: { limit?: number, signal?: AbortSignal, pool?: ExperienceView[] } = {}
  ): Promise<Array<{ view: ExperienceView, cosine: number }>> {
    const pool = options.pool ?? this.active(domain)
    if (pool.length === 0) return []
    const [q, ...vs] = await this.embeddings.embed([text, ...pool.map(p => p.text)], options.signal)
    return pool.map((view, i) => ({ view, cosine: cosine(q!, vs[i]!) }))
      .sort((a, b) => b.cosine - a.cosine)
      .slice(0, options.limit ?? pool.length)
  }

  /**
   * Cross-peer near-duplicate check for a received experience: active experiences in its domain
   * are shortlisted by sketch (when both sketches come from comparable embedders, only those whose
   * sketch cosine is within `sketchSlack` of the threshold), then confirmed by re-embedding the
   * text locally — the peer's sketch is never trusted on its own.
   */
  async nearDuplicateOf (
    body: ExperienceBody, options: { sketchSlack?: number, signal?: AbortSignal } = {}
  ): Promise<{ cid: string, cosine: number, sketchCosine: number | null } | null> {
    const slack = options.sketchSlack ?? 0.25
    const pool = this.active(body.domain)
    const shortlist: Array<{ view: ExperienceView, sketchCosine: number | null }> = []
    for (const view of pool) {
      const stored = this.library.get(view.cid)
      const sk = stored == null ? null : sketchCosine((stored.envelope.body as ExperienceBody).sketch, body.sketch)
      if (sk == null || sk > this.dedupThreshold - slack) shortlist.push({ view, sketchCosine: sk })
    }
    if (shortlist.length === 0) return null
    const [q, ...vs] = await this.embeddings.embed([body.text, ...shortlist.map(x => x.view.text)], options.signal)
    let best: { cid: string, cosine: number, sketchCosine: number | null } | null = null
    shortlist.forEach((x, i) => {
      const c = cosine(q!, vs[i]!)
      if (c > this.dedupThreshold && (best == null || c > best.cosine)) best = { cid: x.view.cid, cosine: c, sketchCosine: x.sketchCosine }
    })
    return best
  }

  /**
   * ADD: validates (length, words, injection), then stores a new experience — or, when an active
   * one in the same domain is a near-duplicate (cosine > threshold), MERGEs into it instead.
   */
  async add (input: ExperienceInput, options: OpOptions = {}): Promise<OpResult> {
    const body = await this.validated(input, options.signal)
    const pool = this.active(body.domain)
    const exact = pool.find(v => v.text.toLowerCase() === body.text.toLowerCase())
    if (exact != null) {
      this.record('NONE', exact.cid, [], options, 'same text already active')
      return { op: 'NONE', cid: exact.cid, replaced: [], reason: 'same text already active' }
    }
    const [best] = await this.nearest(body.text, body.domain, { limit: 1, pool, ...(options.signal != null ? { signal: options.signal } : {}) })
    if (best != null && best.cosine > this.dedupThreshold) {
      const merged = await this.mergeBodies([best.view, viewOf(body)], options)
      return { ...merged, matched: { cid: best.view.cid, cosine: best.cosine } }
    }
    const cid = await this.write(body, false)
    this.record('ADD', cid, [], options)
    return { op: 'ADD', cid, replaced: [] }
  }

  /** UPDATE: a new experience replacing `cid` (fields not given are kept). */
  async update (cid: string, changes: Partial<ExperienceInput>, options: OpOptions = {}): Promise<OpResult> {
    const old = this.requireActive(cid)
    const body = await this.validated({
      text: changes.text ?? old.text,
      domain: changes.domain ?? old.domain,
      tags: changes.tags ?? old.tags,
      confidence: changes.confidence ?? old.confidence,
      evidence: changes.evidence ?? old.evidence
    }, options.signal)
    body.replaces = [parseCid(cid)]
    const out = await this.write(body, old.shareable)
    this.record('UPDATE', out, [cid], options)
    return { op: 'UPDATE', cid: out, replaced: [cid] }
  }

  /** MERGE: one experience replacing several (text of the most confident unless given; evidence pooled). */
  async merge (cids: string[], changes: Partial<ExperienceInput> = {}, options: OpOptions = {}): Promise<OpResult> {
    if (new Set(cids).size < 2) throw new InvalidLearnOptionsError('cids', 'MERGE needs at least two different experiences')
    const views = cids.map(c => this.requireActive(c))
    return this.mergeBodies(views, options, changes)
  }

  /**
   * DELETE: the node's own experience gets a signed revocation (shared if the experience was);
   * a peer's is marked `rejected` here only. Either way it is never injected again.
   */
  async remove (cid: string, options: OpOptions = {}): Promise<OpResult> {
    const v = this.state().byCid.get(cid)
    if (v == null) throw new ExperienceNotFoundError(cid)
    const reason = (options.reason ?? 'deleted').slice(0, 140)
    if (v.own) {
      if (v.status !== 'revoked') {
        const rev = await createArtifact('revocation', { target: parseCid(cid), reason }, this.privateKey, { created: this.clock() })
        this.library.put(rev, { shareable: v.shareable })
        this.library.setStatus(cid, 'revoked', reason)
      }
    } else if (v.status !== 'rejected') {
      this.library.setStatus(cid, 'rejected', `deleted locally: ${reason}`)
    }
    this.record('DELETE', cid, [], options, reason)
    log('deleted %s (%s)', cid, reason)
    return { op: 'DELETE', cid, replaced: [cid], reason }
  }

  /** Marks experiences shareable (all of this node's active ones when `cids` is empty). */
  publish (cids: string[] = []): string[] {
    const targets = cids.length > 0 ? cids.map(c => this.get(c)) : this.active().filter(v => v.own)
    for (const t of targets) {
      if (!t.active) throw new ExperienceNotFoundError(t.cid, `not active (${t.inactiveReason ?? t.status}); only active experiences can be published`)
      this.library.setShareable(t.cid, true)
      // own votes on it travel too
      for (const vote of this.library.list({ kind: 'vote', author: this.self })) {
        if ((vote.envelope.body as { target: { toString(): string } }).target.toString() === t.cid) this.library.setShareable(vote.cid.toString(), true)
      }
    }
    return targets.map(t => t.cid)
  }

  /** The operation log, oldest first (optionally for one experience). */
  history (cid?: string): OpRecord[] {
    const rows = this.library.db.prepare('SELECT * FROM learn_ops ORDER BY seq').all() as Array<{ seq: number, op: OpKind, cid: string | null, sources: string, origin: OpOrigin, reason: string | null, at: number }>
    return rows.map(r => ({ ...r, sources: JSON.parse(r.sources) as string[] }))
      .filter(r => cid == null || r.cid === cid || r.sources.includes(cid))
  }

  private requireActive (cid: string): ExperienceView {
    const v = this.state().byCid.get(cid)
    if (v == null) throw new ExperienceNotFoundError(cid)
    if (!v.active) throw new ExperienceNotFoundError(cid, `is not active (${v.inactiveReason ?? v.status})`)
    return v
  }

  private async mergeBodies (views: Array<Pick<ExperienceView, 'cid' | 'text' | 'domain' | 'tags' | 'confidence' | 'evidence' | 'shareable'>>, options: OpOptions, changes: Partial<ExperienceInput> = {}): Promise<OpResult> {
    const best = views.reduce((a, b) => (b.confidence > a.confidence ? b : a))
    const groups = views.reduce((n, v) => n + v.evidence.groups, 0)
    const meanReward = groups === 0
      ? views.reduce((s, v) => s + v.evidence.meanReward, 0) / views.length
      : views.reduce((s, v) => s + v.evidence.meanReward * v.evidence.groups, 0) / groups
    const body = await this.validated({
      text: changes.text ?? best.text,
      domain: changes.domain ?? best.domain,
      tags: changes.tags ?? [...new Set(views.flatMap(v => v.tags))].slice(0, MAX_TAGS),
      confidence: changes.confidence ?? Math.max(...views.map(v => v.confidence)),
      evidence: changes.evidence ?? { groups, meanReward }
    }, options.signal)
    const sources = views.map(v => v.cid).filter(c => c !== '')
    if (sources.length > 0) body.replaces = sources.map(c => parseCid(c))
    const cid = await this.write(body, views.some(v => v.shareable))
    this.record('MERGE', cid, sources, options)
    return { op: 'MERGE', cid, replaced: sources }
  }

  private async validated (input: ExperienceInput, signal?: AbortSignal): Promise<ExperienceBody> {
    const text = validateExperienceText(input.text)
    const domain = validateDomain(input.domain)
    const tags = validateTags(input.tags)
    const confidence = validateConfidence(input.confidence ?? 0.5)
    const ev = input.evidence ?? { groups: 0, meanReward: 0 }
    const evidence = {
      groups: Math.max(0, Math.floor(Number.isFinite(ev.groups) ? ev.groups : 0)),
      meanReward: Number.isFinite(ev.meanReward) ? ev.meanReward : 0
    }
    const vec = await this.embeddings.embedOne(text, signal)
    return { text, domain, tags, confidence, evidence, sketch: sketchEmbedding(unpack(vec), this.embedder.id) }
  }

  private async write (body: ExperienceBody, shareable: boolean): Promise<string> {
    const art = await createArtifact('experience', body, this.privateKey, { created: this.clock() })
    this.library.put(art, { status: 'trusted', shareable })
    return art.cid.toString()
  }

  private record (op: OpKind, cid: string | null, sources: string[], options: OpOptions, reason?: string): void {
    this.library.db.prepare('INSERT INTO learn_ops (op, cid, sources, origin, reason, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(op, cid, JSON.stringify(sources), options.origin ?? 'user', reason ?? options.reason ?? null, this.clock())
  }
}

function viewOf (body: ExperienceBody): Pick<ExperienceView, 'cid' | 'text' | 'domain' | 'tags' | 'confidence' | 'evidence' | 'shareable'> {
  return { cid: '', text: normalizeExperienceText(body.text), domain: body.domain, tags: body.tags, confidence: body.confidence, evidence: body.evidence, shareable: false }
}
