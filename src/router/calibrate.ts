/**
 * Automatic calibration by leave-one-out over the library's own exemplars: each exemplar
 * question is routed with that exemplar removed from its expert. From those samples:
 *
 * - `threshold`: a fixed fraction of the median score that held-out questions get from their own
 *   expert (the library's own notion of "clearly on topic"; below it, the question is far from
 *   everything the library holds);
 * - `minCoverage` (embedders that report vocabulary coverage): a slack below a low quantile of
 *   the held-out questions' coverage, so questions mostly made of words the library has never
 *   seen are abstained;
 * - `minEvidence` (embedders that can tell which words matched): the number of distinct question
 *   words that held-out questions find in their own expert's best exemplars, at a low quantile
 *   (clamped to 1..3) — a question that meets an expert on a single word ("chicken" in a recipe)
 *   is not enough evidence;
 * - `minMargin`: the widest margin band, starting at 0, in which held-out questions were routed
 *   correctly at most `marginMaxAccuracy` of the time (default 1/3: wrong twice as often as
 *   right) — inside it a choice is worse than a coin flip, so abstain.
 *
 * The constants are the same for every library; nothing here is tuned per data set.
 */
import { marginOf, scoreExperts } from './expert-index.ts'
import type { CentroidMatrix, IndexedExpert, ScoringOptions } from './expert-index.ts'
import type { Calibration } from './types.ts'
import type { PackedVector } from './vectors.ts'

export interface CalibrationOptions {
  /** Threshold = this × median own-expert score of held-out questions. */
  thresholdFraction: number
  /** minCoverage = coverageSlack × this quantile of held-out coverage. */
  coverageQuantile: number
  coverageSlack: number
  /** minEvidence = floor of this quantile of held-out evidence counts. */
  evidenceQuantile: number
  /** Margin bands need at least this many samples to count. */
  minBandSamples: number
  /** Largest held-out accuracy for which a low-margin band is abstained. */
  marginMaxAccuracy: number
  /** At most this many held-out questions (sampled deterministically). */
  maxQueries: number
}

export const DEFAULT_CALIBRATION: CalibrationOptions = {
  thresholdFraction: 0.4,
  coverageQuantile: 0.02,
  coverageSlack: 0.7,
  evidenceQuantile: 0.02,
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

export function leaveOneOut (experts: IndexedExpert[], queries: LooQuery[], scoring: ScoringOptions, evidence?: EvidenceFn, matrix?: CentroidMatrix): LooSample[] {
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

export function chooseSettings (samples: LooSample[], opts: CalibrationOptions): CalibrationSettings {
  if (samples.length === 0) return { threshold: 0, minMargin: 0, minCoverage: 0, minEvidence: 0 }
  const threshold = opts.thresholdFraction * quantile(samples.map(s => s.ownScore), 0.5)
  const minCoverage = opts.coverageSlack * quantile(samples.map(s => s.coverage), opts.coverageQuantile)
  const counts = samples.map(s => s.evidence).filter(e => e >= 0)
  const minEvidence = counts.length === 0 ? 0 : Math.min(2, Math.max(1, Math.floor(quantile(counts, opts.evidenceQuantile))))

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
  return { threshold, minMargin: Math.max(0, minMargin), minCoverage, minEvidence }
}

/** The calibration record: settings plus how the held-out questions fared under them. */
export function summarize (samples: LooSample[], settings: CalibrationSettings, fingerprint: string): Calibration {
  const n = samples.length
  const share = (pred: (s: LooSample) => boolean): number => n === 0 ? 0 : samples.filter(pred).length / n
  return {
    ...settings,
    n,
    looAccuracy: share(s => s.correct),
    looAccepted: share(s => s.topScore >= settings.threshold && s.margin >= settings.minMargin &&
      s.coverage >= settings.minCoverage && s.evidence >= settings.minEvidence),
    heldOutAbstained: share(s => s.otherScore < settings.threshold),
    fingerprint
  }
}
