/**
 * Turns scored experts into a `RouteDecision`: the abstain rules, the reason sentence and the
 * exemplars that decided.
 */
import { marginOf } from './expert-index.ts'
import type { ExpertResult } from './expert-index.ts'
import { effectiveThreshold } from './calibrate.ts'
import type { CalibrationSettings } from './calibrate.ts'
import type { ExpertScore, RouteDecision, RouteReasonCode, ScoredExemplar } from './types.ts'

export interface DecideInput {
  results: ExpertResult[]
  /** The leading expert scored again with more best items kept (for the exemplars shown). */
  leading: ExpertResult | null
  coverage: number
  /** Evidence count against the leading expert (-1 when not measured). */
  evidence: number
  settings: CalibrationSettings
  /** Best cosine between the question and a question marked "should abstain" by feedback. */
  negativeSimilarity: number
  topExemplars: number
}

const pct = (x: number): string => `${Math.round(x * 100)}%`

/** How the question's evidence lowered the threshold, for the reason sentence. */
function creditNote (evidence: number, s: CalibrationSettings): string {
  if (evidence <= 0 || s.evidenceCredit === 0) return ''
  return ` (${s.threshold.toFixed(3)} less credit for ${evidence} matching word${evidence === 1 ? '' : 's'})`
}

function toScore (r: ExpertResult): ExpertScore {
  return { id: r.expert.id, name: r.expert.name, domain: r.expert.domain, score: r.score }
}

function exemplarsOf (r: ExpertResult): ScoredExemplar[] {
  const seen = new Set<number>()
  const out: ScoredExemplar[] = []
  for (const hit of r.best) {
    if (seen.has(hit.exemplar)) continue
    seen.add(hit.exemplar)
    const ex = r.expert.exemplars[hit.exemplar]!
    out.push({
      expertId: r.expert.id,
      name: r.expert.name,
      domain: r.expert.domain,
      q: ex.q,
      ...(ex.a == null ? {} : { a: ex.a }),
      score: hit.cosine
    })
  }
  return out
}

export function decide (input: DecideInput): RouteDecision {
  const { results, settings } = input
  const scores = results.map(toScore)
  const threshold = effectiveThreshold(settings, input.evidence)
  const base = {
    scores,
    threshold,
    minMargin: settings.minMargin,
    coverage: input.coverage,
    minCoverage: settings.minCoverage,
    evidence: input.evidence,
    minEvidence: settings.minEvidence
  }
  const top = results[0]
  if (top == null) {
    return {
      ...base,
      choice: null,
      abstained: true,
      reasonCode: 'empty-library',
      reason: 'The library has no experts to route to.',
      margin: 0,
      topExemplars: [],
      choiceExemplars: []
    }
  }
  const margin = marginOf(results)
  const rival = results.find(r => r.expert.domain !== top.expert.domain)
  let code: RouteReasonCode = 'confident'
  let reason: string
  const bestItem = top.best[0]?.cosine ?? 0
  if (input.coverage < settings.minCoverage) {
    code = 'unfamiliar'
    reason = `Only ${pct(input.coverage)} of the question's words are known to this library (needs ${pct(settings.minCoverage)}); no expert covers it.`
  } else if (input.evidence >= 0 && input.evidence < settings.minEvidence) {
    code = 'unfamiliar'
    reason = `Only ${input.evidence} word(s) of the question appear in ${top.expert.name}'s best exemplars (needs ${settings.minEvidence}); too little evidence.`
  } else if (top.score < threshold) {
    code = 'below-threshold'
    reason = `Best match ${top.expert.name} (${top.expert.domain}) scores ${top.score.toFixed(3)}, below the calibrated threshold ${threshold.toFixed(3)}${creditNote(input.evidence, settings)}.`
  } else if (margin < settings.minMargin) {
    code = 'ambiguous'
    reason = `${top.expert.name} (${top.score.toFixed(3)}) and ${rival?.expert.name ?? '?'} (${rival?.score.toFixed(3) ?? '?'}) are too close (margin ${margin.toFixed(3)} < ${settings.minMargin.toFixed(3)}).`
  } else if (input.negativeSimilarity > bestItem) {
    code = 'negative-feedback'
    reason = `A question marked "no expert" in feedback is closer (${input.negativeSimilarity.toFixed(3)}) than ${top.expert.name}'s best exemplar (${bestItem.toFixed(3)}).`
  } else {
    reason = `${top.expert.name} (${top.expert.domain}) scores ${top.score.toFixed(3)} ≥ threshold ${threshold.toFixed(3)}${creditNote(input.evidence, settings)}` +
      (rival == null ? '.' : `, ahead of ${rival.expert.name} by ${margin.toFixed(3)}.`)
  }
  const abstained = code !== 'confident'

  const topExemplars = results.slice(0, 3).flatMap(exemplarsOf)
    .sort((a, b) => b.score - a.score).slice(0, input.topExemplars)
  const choiceExemplars = abstained
    ? []
    : exemplarsOf(input.leading ?? top).slice(0, input.topExemplars)
  return {
    ...base,
    choice: abstained ? null : toScore(top),
    abstained,
    reasonCode: code,
    reason,
    margin,
    topExemplars,
    choiceExemplars
  }
}
