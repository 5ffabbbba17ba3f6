/**
 * Scoring helpers for router evaluations: accuracy per set and per domain, a confusion matrix,
 * out-of-domain abstention, and the threshold sweep of the TF-IDF baseline.
 */
import type { TfidfRouter } from './tfidf-baseline.ts'

export interface LabeledQuestion {
  question: string
  /** Expected domain, or null when every expert should abstain. */
  domain: string | null
  id?: string
}

export interface Routed {
  choice: { domain: string } | null
}

export interface DecisionTally {
  n: number
  correct: number
  abstained: number
  accuracy: number
  perDomain: Record<string, { n: number, correct: number, accuracy: number }>
  /** confusion[expected][predicted or "(abstain)"] = count */
  confusion: Record<string, Record<string, number>>
  misses: Array<{ id?: string, question: string, expected: string | null, got: string | null }>
}

export const ABSTAIN = '(abstain)'

/** Tallies decisions: an in-domain question is correct when routed to its domain; an OOD one when abstained. */
export function tally (questions: LabeledQuestion[], decisions: Routed[]): DecisionTally {
  const perDomain: DecisionTally['perDomain'] = {}
  const confusion: DecisionTally['confusion'] = {}
  const misses: DecisionTally['misses'] = []
  let correct = 0
  let abstained = 0
  questions.forEach((q, i) => {
    const got = decisions[i]?.choice?.domain ?? null
    const expected = q.domain
    const ok = got === expected
    if (ok) correct++
    if (got == null) abstained++
    const key = expected ?? ABSTAIN
    const d = perDomain[key] ??= { n: 0, correct: 0, accuracy: 0 }
    d.n++
    if (ok) d.correct++
    const row = confusion[key] ??= {}
    row[got ?? ABSTAIN] = (row[got ?? ABSTAIN] ?? 0) + 1
    if (!ok) misses.push({ ...(q.id == null ? {} : { id: q.id }), question: q.question, expected, got })
  })
  for (const d of Object.values(perDomain)) d.accuracy = d.n === 0 ? 0 : d.correct / d.n
  return { n: questions.length, correct, abstained, accuracy: questions.length === 0 ? 0 : correct / questions.length, perDomain, confusion, misses }
}

export interface SweepPoint {
  threshold: number
  /** Share of in-domain questions routed to their domain (abstaining counts as wrong). */
  inDomainAccuracy: number
  /** Share of out-of-domain questions abstained. */
  oodAbstained: number
}

/**
 * Runs the TF-IDF baseline once per question and evaluates every threshold on the scores
 * (a question is accepted at threshold t when its best score is >= t).
 */
export function sweepBaseline (baseline: TfidfRouter, inDomain: LabeledQuestion[], ood: LabeledQuestion[], thresholds: number[]): SweepPoint[] {
  const inTop = inDomain.map(q => baseline.route(q.question).scores[0])
  const oodTop = ood.map(q => baseline.route(q.question).scores[0]?.score ?? 0)
  return thresholds.map(threshold => ({
    threshold,
    inDomainAccuracy: inDomain.length === 0
      ? 0
      : inDomain.filter((q, i) => inTop[i] != null && inTop[i].score >= threshold && inTop[i].domain === q.domain).length / inDomain.length,
    oodAbstained: ood.length === 0 ? 0 : oodTop.filter(s => s < threshold).length / ood.length
  }))
}

/** The sweep point with the best worst-case of the two rates (the baseline's best single setting). */
export function bestBalanced (points: SweepPoint[]): SweepPoint | null {
  let best: SweepPoint | null = null
  for (const p of points) {
    if (best == null || Math.min(p.inDomainAccuracy, p.oodAbstained) > Math.min(best.inDomainAccuracy, best.oodAbstained)) best = p
  }
  return best
}
