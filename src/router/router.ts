/**
 * The router: an index of experts' exemplars, calibrated decisions with abstention, feedback, and
 * incremental add/remove. See index.ts for an example.
 */
import { createHash } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { chooseSettings, DEFAULT_CALIBRATION, leaveOneOut, pickLooQueries, summarize } from './calibrate.ts'
import { GENERAL_QUESTIONS } from './general-questions.ts'
import { decide } from './decision.ts'
import { ExpertNotFoundError, InvalidExpertError } from './errors.ts'
import { validateExpert, validateQuestion } from './validate.ts'
import { buildExpert, centroidMatrix, DEFAULT_SCORING, scoreExpert, scoreExperts } from './expert-index.ts'
import { RouterStore } from './router-store.ts'
import { dotPacked, EmbeddingCache, hashEmbedder, isFittable, pack, unpack } from '../embedding/index.ts'
import type { Embedder, PackedVector } from '../embedding/index.ts'
import type { CalibrationOptions, CalibrationSettings, GeneralSample, LooQuery } from './calibrate.ts'
import type { CentroidMatrix, ExpertResult, IndexedExemplar, IndexedExpert, ScoringOptions } from './expert-index.ts'
import type { Calibration, ExpertInput, RouteDecision } from './types.ts'
import type { FeedbackInput, RouteOptions, RouterInit } from './router-init.ts'

const log = logger('baobab:router:router')

/** Best items of the leading expert whose exemplars are searched for evidence words. */
const EVIDENCE_ITEMS = 10

const contentText = (e: { q: string, a?: string }): string => e.a == null || e.a === '' ? e.q : `${e.q}\n${e.a}`

export class Router {
  readonly embedder: Embedder
  private readonly cache: EmbeddingCache
  private readonly store: RouterStore | null
  private readonly scoring: ScoringOptions
  private readonly calOptions: CalibrationOptions
  private readonly refitDrift: number
  private readonly maxQuestionChars: number
  private readonly topExemplars: number
  private readonly defs = new Map<string, ExpertInput>()
  private readonly extra = new Map<string, IndexedExemplar[]>()
  private readonly negatives: string[] = []
  private index: IndexedExpert[] = []
  private fittedId = ''
  private fittedDocs = 0
  private changedDocs = 0
  /** The index must be rebuilt (refit) before the next decision. */
  private stale = false
  private matrix: CentroidMatrix | null = null
  private settings: CalibrationSettings | null = null
  private summary: Calibration | null = null
  private negativeVectors: PackedVector[] = []

  constructor (init: RouterInit = {}) {
    this.embedder = init.embedder ?? hashEmbedder()
    this.cache = new EmbeddingCache(init.db == null ? {} : { db: init.db })
    this.store = init.db == null ? null : new RouterStore(init.db)
    this.scoring = { ...DEFAULT_SCORING, ...init.scoring }
    this.calOptions = { ...DEFAULT_CALIBRATION, ...init.calibration }
    this.refitDrift = init.refitDrift ?? 0.25
    this.maxQuestionChars = init.maxQuestionChars ?? 4000
    this.topExemplars = init.topExemplars ?? 5
    for (const f of this.store?.listFeedback() ?? []) this.remember(f.question, f.expertId)
  }

  get size (): number {
    return this.defs.size
  }

  experts (): Array<{ id: string, name: string, domain: string, exemplars: number }> {
    return [...this.defs.values()].map(d => ({ id: d.id, name: d.name, domain: d.domain, exemplars: d.exemplars.length + (this.extra.get(d.id)?.length ?? 0) }))
  }

  /** Replaces the whole index (one fit, one embedding pass). */
  async setExperts (experts: ExpertInput[], options: RouteOptions = {}): Promise<void> {
    const seen = new Set<string>()
    for (const e of experts) {
      validateExpert(e)
      if (seen.has(e.id)) throw new InvalidExpertError(e.id, `duplicate expert id ${e.id}`)
      seen.add(e.id)
    }
    this.defs.clear()
    for (const e of experts) this.defs.set(e.id, e)
    await this.rebuild(options)
  }

  /**
   * Adds (or replaces) one expert. Other experts are not re-embedded: only when the corpus
   * statistics drifted past `refitDrift` is the whole index refitted, once, lazily at the next
   * `route`/`calibrate` (so adding many experts in a row costs one rebuild).
   */
  async addExpert (expert: ExpertInput, options: RouteOptions = {}): Promise<void> {
    validateExpert(expert)
    this.removeExpert(expert.id)
    this.defs.set(expert.id, expert)
    this.changedDocs += expert.exemplars.length
    this.invalidate()
    if (this.stale || this.needsRefit()) { this.stale = true; return }
    this.index.push(await this.embedExpert(expert, options))
  }

  removeExpert (id: string): boolean {
    const def = this.defs.get(id)
    if (def == null) return false
    this.defs.delete(id)
    this.index = this.index.filter(e => e.id !== id)
    this.changedDocs += def.exemplars.length
    this.invalidate()
    return true
  }

  /** Current calibration (runs it when the index changed). */
  async calibrate (options: RouteOptions = {}): Promise<Calibration> {
    await this.ready(options)
    return this.summary!
  }

  async route (question: string, options: RouteOptions = {}): Promise<RouteDecision> {
    const text = validateQuestion(question, this.maxQuestionChars)
    await this.ready(options)
    const [query] = await this.embed([text], options, false)
    return this.routeVector(query!, text)
  }

  /**
   * The synchronous core of `route` for an already embedded question (call `calibrate()` first).
   * Without `text`, the vocabulary checks (coverage, evidence) are skipped.
   */
  routeVector (vector: Float32Array | PackedVector, text?: string): RouteDecision {
    const query = vector instanceof Float32Array ? pack(vector) : vector
    const results = scoreExperts(this.index, query, this.scoring, undefined, this.prefilter())
    let negativeSimilarity = -1
    if (this.negativeVectors.length > 0) {
      const dense = vector instanceof Float32Array ? vector : unpack(vector)
      for (const v of this.negativeVectors) negativeSimilarity = Math.max(negativeSimilarity, dotPacked(dense, v))
    }
    const top = results[0]
    const leading = top == null ? null : scoreExpert(top.expert, query, this.scoring, -1, EVIDENCE_ITEMS)
    return decide({
      results,
      leading,
      coverage: text == null ? 1 : this.coverageOf(text),
      evidence: text == null || leading == null ? -1 : this.evidenceOf(text, leading),
      settings: this.settings ?? { threshold: 0, minMargin: 0, minCoverage: 0, minEvidence: 0, evidenceCredit: 0, evidenceCap: 0 },
      negativeSimilarity,
      topExemplars: this.topExemplars
    })
  }

  /** Records a correction: the question becomes an exemplar of the named expert, or a "no expert" example. */
  async feedback (input: FeedbackInput, options: RouteOptions = {}): Promise<{ id: number | null, applied: 'exemplar' | 'negative' }> {
    const text = validateQuestion(input.question, this.maxQuestionChars)
    if (input.expertId != null && !this.defs.has(input.expertId)) {
      throw new ExpertNotFoundError(input.expertId, `no expert with id ${input.expertId}`)
    }
    const id = this.store?.addFeedback({ created: Date.now(), question: text, expertId: input.expertId }) ?? null
    this.remember(text, input.expertId)
    if (input.expertId != null && !this.stale) {
      const def = this.defs.get(input.expertId)!
      this.index = this.index.filter(e => e.id !== def.id)
      this.index.push(await this.embedExpert(def, options))
    }
    this.invalidate()
    return { id, applied: input.expertId == null ? 'negative' : 'exemplar' }
  }

  private remember (question: string, expertId: string | null): void {
    if (expertId == null) { this.negatives.push(question); return }
    const list = this.extra.get(expertId) ?? []
    if (!list.some(e => e.q === question)) list.push({ q: question, source: 'feedback' })
    this.extra.set(expertId, list)
  }

  private exemplarsOf (def: ExpertInput): IndexedExemplar[] {
    return [...def.exemplars.map(e => ({ ...e, source: 'expert' as const })), ...(this.extra.get(def.id) ?? [])]
  }

  private needsRefit (): boolean {
    if (!isFittable(this.embedder)) return false
    return this.fittedId !== this.embedder.id || this.changedDocs > this.refitDrift * Math.max(this.fittedDocs, 1)
  }

  private async rebuild (options: RouteOptions): Promise<void> {
    this.stale = true
    const embedder = this.embedder
    if (isFittable(embedder)) {
      const corpus = [...this.defs.values()].flatMap(d => this.exemplarsOf(d).map(contentText))
      embedder.fit(corpus)
      this.fittedId = embedder.id
      this.fittedDocs = corpus.length
      this.changedDocs = 0
      this.cache.prune(embedder.idPrefix, embedder.id)
      log('fitted %s on %d documents', embedder.id, corpus.length)
    }
    const index: IndexedExpert[] = []
    for (const def of this.defs.values()) index.push(await this.embedExpert(def, options))
    this.index = index
    this.stale = false
    this.invalidate()
  }

  private invalidate (): void {
    this.settings = null
    this.summary = null
    this.matrix = null
  }

  /** The centroid block for the prefilter, rebuilt after the index changed (large indexes only). */
  private prefilter (): CentroidMatrix | undefined {
    if (this.index.length <= this.scoring.prefilterAbove) return undefined
    this.matrix ??= centroidMatrix(this.index)
    return this.matrix
  }

  /** Built-in (fittable) embedders are computed directly: cheaper than any cache lookup. */
  private async embed (texts: string[], options: RouteOptions, persist: boolean): Promise<PackedVector[]> {
    const e = this.embedder
    if (isFittable(e)) {
      options.signal?.throwIfAborted()
      return texts.map(t => e.embedPacked(t))
    }
    return this.cache.embed(e, texts, { ...options, persist })
  }

  private async embedExpert (def: ExpertInput, options: RouteOptions): Promise<IndexedExpert> {
    const exemplars = this.exemplarsOf(def)
    const texts: string[] = []
    const owners: number[] = []
    exemplars.forEach((e, i) => {
      texts.push(e.q); owners.push(i)
      if (e.a != null && e.a !== '') { texts.push(contentText(e)); owners.push(i) }
    })
    const vectors = await this.embed(texts, options, true)
    const meta = { id: def.id, name: def.name, domain: def.domain, ...(def.description == null ? {} : { description: def.description }) }
    return buildExpert(meta, exemplars, vectors.map((vector, i) => ({ exemplar: owners[i]!, vector })), this.embedder.dims, this.scoring.foldDims)
  }

  private coverageOf (text: string, excludeDoc?: string): number {
    const e = this.embedder
    if (!isFittable(e) || e.coverage == null) return 1
    return e.coverage(text, excludeDoc == null ? {} : { excludeDoc })
  }

  /** Evidence breadth of a question against an expert's best exemplars (-1 when not measurable). */
  private evidenceOf (text: string, leading: ExpertResult): number {
    const e = this.embedder
    if (!isFittable(e) || e.evidence == null) return -1
    const docs = [...new Set(leading.best.map(h => h.exemplar))].map(i => contentText(leading.expert.exemplars[i]!))
    return e.evidence(text, docs)
  }

  /** The shipped everyday questions routed in this library: how high does an unrelated question score here? */
  private async generalSamples (options: RouteOptions): Promise<GeneralSample[]> {
    if (this.index.length === 0) return []
    const vectors = await this.embed([...GENERAL_QUESTIONS], options, true)
    const matrix = this.prefilter()
    return vectors.map((v, i) => {
      const top = scoreExperts(this.index, v, this.scoring, undefined, matrix)[0]
      if (top == null) return { score: 0, evidence: -1 }
      const leading = scoreExpert(top.expert, v, this.scoring, -1, EVIDENCE_ITEMS)
      return { score: top.score, evidence: this.evidenceOf(GENERAL_QUESTIONS[i]!, leading) }
    })
  }

  private fingerprint (): string {
    const h = createHash('sha256').update(`${this.embedder.id}\n${JSON.stringify(this.scoring)}\n${JSON.stringify(this.calOptions)}\n${GENERAL_QUESTIONS.join('\n')}\n`)
    for (const e of [...this.index].sort((a, b) => a.id < b.id ? -1 : 1)) h.update(`${e.id}:${e.exemplars.length}:${e.itemCount}\n`)
    return h.digest('hex').slice(0, 16)
  }

  private async ready (options: RouteOptions): Promise<void> {
    if (this.stale || this.needsRefit()) await this.rebuild(options)
    if (this.settings != null) return
    this.negativeVectors = await this.embed(this.negatives, options, false)
    const fingerprint = this.fingerprint()
    const stored = this.store?.getState<Calibration>('calibration')
    if (stored?.fingerprint === fingerprint) {
      this.summary = stored
      const { threshold, minMargin, minCoverage, minEvidence, evidenceCredit, evidenceCap } = stored
      this.settings = { threshold, minMargin, minCoverage, minEvidence, evidenceCredit, evidenceCap }
      return
    }
    const picked = pickLooQueries(this.index, this.calOptions.maxQueries)
    const vectors = await this.embed(picked.map(p => p.expert.exemplars[p.exemplar]!.q), options, true)
    const queries: LooQuery[] = picked.map((p, i) => {
      const ex = p.expert.exemplars[p.exemplar]!
      return { expertId: p.expert.id, exemplar: p.exemplar, vector: vectors[i]!, coverage: this.coverageOf(ex.q, contentText(ex)) }
    })
    const samples = leaveOneOut(this.index, queries, this.scoring, (q, own) =>
      this.evidenceOf(own.exemplars[q.exemplar]!.q, scoreExpert(own, q.vector, this.scoring, q.exemplar, EVIDENCE_ITEMS)), this.prefilter())
    const general = await this.generalSamples(options)
    const settings = chooseSettings(samples, this.calOptions, general)
    this.settings = settings
    this.summary = summarize(samples, settings, fingerprint, general)
    this.store?.setState('calibration', this.summary)
    log('calibrated on %d held-out questions: %o', samples.length, this.summary)
  }
}
