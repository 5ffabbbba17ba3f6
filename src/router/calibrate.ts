/**
 * Automatic calibration by leave-one-out over the library's own exemplars: each exemplar
 * question is routed with that exemplar removed from its expert. From those samples:
 *
 * - `threshold`: set against a shipped set of everyday questions that belong to no expert
 *   (`general-questions.ts`): the score (plus evidence credit, below) that `generalQuantile` of
 *   them stay under in this library. Every library, 2 experts or 1000, measures for itself how
 *   high an unrelated question scores against its own vocabulary. Without those samples, a
 *   fraction of the median held-out own-expert score is used;
 * - evidence credit: a question that shares more distinct words with its expert's best exemplars
 *   needs a lower score (`evidenceCredit` × min(words, `evidenceCap`) / `evidenceCap` is taken off
 *   the threshold), so breadth of agreement counts without a hard word minimum;
 * - `minCoverage` (embedders that report vocabulary coverage): a slack below a low quantile of
 *   the held-out questions' coverage, so questions mostly made of words the library has never
 *   seen are abstained;
 * - `minEvidence`: a question must share at least one word with its expert's best exemplars
 *   (embedders that can tell which words matched); beyond that, evidence only earns credit;
 * - `minMargin`: the widest margin band, starting at 0, in which held-out questions were routed
 *   correctly at most `marginMaxAccuracy` of the time (default 1/3: wrong twice as often as
 *   right) — inside it a choice is worse than a coin flip, so abstain.
 *
 * The constants are the same for every library; nothing here is tuned per data set.
 */
import { marginOf, scoreExperts } from './expert-index.ts'
import type { CentroidMatrix, IndexedExpert, ScoringOptions } from './expert-index.ts'
import type { Calibration } from './types.ts'
import type { PackedVector } from '../embedding/index.ts'

export interface CalibrationOptions {
  /** Fallback without general questions: threshold = this × median own-expert score of held-out questions. */
  thresholdFraction: number
  /** Threshold = this quantile of the general questions' credited scores. */
  generalQuantile: number
  /** Score credit for full evidence, and the evidence count that earns it all. */
  evidenceCredit: number
  evidenceCap: number
  /** minCoverage = coverageSlack × this quantile of held-out coverage. */
  coverageQuantile: number
  coverageSlack: number
  /** Margin bands need at least this many samples to count. */
  minBandSamples: number
  /** Largest held-out accuracy for which a low-margin band is abstained. */
  marginMaxAccuracy: number
  /** At most this many held-out questions (sampled deterministically). */
  maxQueries: number
}

export const DEFAULT_CALIBRATION: CalibrationOptions = {
  thresholdFraction: 0.4,
  generalQuantile: 0.9,
  evidenceCredit: 0.2,
  evidenceCap: 4,
  coverageQuantile: 0.02,
  coverageSlack: 0.7,
  minBandSamples: 5,
  marginMaxAccuracy: 1 / 3,
  maxQueries: 1500
}

export interface LooQuery {
  expertId: string
  exemplar: number
  vector: PackedVector
  /** Vocabulary coverage with the exemplar's own text removed (1 when unknown). */
  coverage: number
}

/** Evidence count of a held-out question against its own expert (exemplar left out), or -1. */
export type EvidenceFn = (query: LooQuery, own: IndexedExpert) => number

export interface LooSample {
  expertId: string
  correct: boolean
  /** Own expert's score (exemplar left out). */
  ownScore: number
  /** Best score overall and its margin over the best other domain. */
  topScore: number
  margin: number
  /** Best score of an expert in another domain: what the question gets if its expert were absent. */
  otherScore: number
  coverage: number
  evidence: number
}

export interface CalibrationSettings {
  threshold: number
  minMargin: number
  minCoverage: number
  minEvidence: number
  /** Threshold reduction for full evidence, and the evidence count that earns it all. */
  evidenceCredit: number
  evidenceCap: number
}

/** A general (out-of-domain) question routed in this library: its best score and evidence. */
export interface GeneralSample { score: number, evidence: number }

/** The threshold a question with `evidence` matching words must reach (-1: not measured). */
export function effectiveThreshold (s: CalibrationSettings, evidence: number): number {
  if (evidence < 0 || s.evidenceCap <= 0) return s.threshold
  return s.threshold - s.evidenceCredit * Math.min(evidence, s.evidenceCap) / s.evidenceCap
}

/** Picks the held-out questions: every exemplar when few, else an even stride over all of them. */
export function pickLooQueries (experts: IndexedExpert[], maxQueries: number): Array<{ expert: IndexedExpert, exemplar: number }> {
  const all: Array<{ expert: IndexedExpert, exemplar: number }> = []
  for (const expert of experts) {
    if (expert.exemplars.length < 2) continue
    for (let i = 0; i < expert.exemplars.length; i++) all.push({ expert, exemplar: i })
  }
  if (all.length <= maxQueries) return all
  const step = all.length / maxQueries
  const picked: Array<{ expert: IndexedExpert, exemplar: number }> = []
  for (let i = 0; i < maxQueries; i++) picked.push(all[Math.floor(i * step)]!)
  return picked
}

export function leaveOneOut (
  experts: IndexedExpert[], queries: LooQuery[], scoring: ScoringOptions, evidence?: EvidenceFn, matrix?: CentroidMatrix
): LooSample[] {
  const byId = new Map(experts.map(e => [e.id, e]))
  const samples: LooSample[] = []
  for (const q of queries) {
    const own = byId.get(q.expertId)
    if (own == null) continue
    const results = scoreExperts(experts, q.vector, scoring, { expertId: q.expertId, exemplar: q.exemplar }, matrix)
    const top = results[0]
    if (top == null) continue
    const ownResult = results.find(r => r.expert.id === q.expertId)
    samples.push({
      expertId: q.expertId,
      correct: top.expert.domain === own.domain,
      ownScore: ownResult?.score ?? 0,
      topScore: top.score,
      margin: marginOf(results),
      otherScore: results.find(r => r.expert.domain !== own.domain)?.score ?? 0,
      coverage: q.coverage,
      evidence: evidence == null ? -1 : evidence(q, own)
    })
  }
  return samples
}

function quantile (values: number[], q: number): number {
  if (values.length === 0) return 0
  const s = [...values].sort((a, b) => a - b)
  const pos = q * (s.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo)
}

export function chooseSettings (samples: LooSample[], opts: CalibrationOptions, general: GeneralSample[] = []): CalibrationSettings {
  const counts = samples.map(s => s.evidence).filter(e => e >= 0)
  const credit = counts.length === 0 ? { evidenceCredit: 0, evidenceCap: 0 } : { evidenceCredit: opts.evidenceCredit, evidenceCap: opts.evidenceCap }
  if (samples.length === 0) return { threshold: 0, minMargin: 0, minCoverage: 0, minEvidence: 0, ...credit }
  const base = { threshold: 0, minMargin: 0, minCoverage: 0, minEvidence: 0, ...credit }
  const threshold = general.length === 0
    ? opts.thresholdFraction * quantile(samples.map(s => s.ownScore), 0.5)
    : quantile(general.map(g => g.score + (base.threshold - effectiveThreshold(base, g.evidence))), opts.generalQuantile)
  const minCoverage = opts.coverageSlack * quantile(samples.map(s => s.coverage), opts.coverageQuantile)
  const minEvidence = counts.length === 0 ? 0 : 1

  // Grow the margin band [0, m) while held-out questions inside it are mostly routed wrongly.
  const byMargin = [...samples].sort((a, b) => a.margin - b.margin)
  let minMargin = 0
  let right = 0
  for (let i = 0; i < byMargin.length; i++) {
    if (byMargin[i]!.correct) right++
    const n = i + 1
    if (n >= opts.minBandSamples && right <= opts.marginMaxAccuracy * n) {
      minMargin = (byMargin[i]!.margin + (byMargin[i + 1]?.margin ?? byMargin[i]!.margin)) / 2
    }
  }
  return { threshold, minMargin: Math.max(0, minMargin), minCoverage, minEvidence, ...credit }
}

/** The calibration record: settings plus how the held-out and general questions fared under them. */
export function summarize (samples: LooSample[], settings: CalibrationSettings, fingerprint: string, general: GeneralSample[] = []): Calibration {
  const n = samples.length
  const share = <T>(list: T[], pred: (s: T) => boolean): number => list.length === 0 ? 0 : list.filter(pred).length / list.length
  return {
    ...settings,
    n,
    looAccuracy: share(samples, s => s.correct),
    looAccepted: share(samples, s => s.topScore >= effectiveThreshold(settings, s.evidence) && s.margin >= settings.minMargin &&
      s.coverage >= settings.minCoverage && s.evidence >= settings.minEvidence),
    heldOutAbstained: share(samples, s => s.otherScore < settings.threshold),
    generalQuestions: general.length,
    generalAbstained: share(general, g => g.score < effectiveThreshold(settings, g.evidence) || g.evidence < settings.minEvidence),
    fingerprint
  }
}
