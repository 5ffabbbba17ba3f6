/**
 * Why a recommendation says what it says: for the method and each parameter, the packets that
 * carry the recommended value (cid, author, delta, nEval, reproduced or not, weight) and the ones
 * against it. Read off the synthesis (`synthesise`) without weighing anything again.
 */
import type { ParamValue } from '../artifacts/index.ts'
import type { ParamAdvice, Recommendation, WeightedEvidence } from './synthesis.ts'

export interface Citation {
  cid: string
  author: string
  own: boolean
  delta: number
  nEval: number
  /** Net verdict of its reproductions, or 'not yet' when nobody reproduced it. */
  reproduced: 'reproduced' | 'failed' | 'not yet'
  /** Signed weight in the synthesis (delta × strength). */
  weight: number
  value: ParamValue
}

export interface SettingExplanation {
  /** 'method' or a parameter name. */
  setting: string
  value: ParamValue
  /** How the value was reached, e.g. "weighted median, IQR 8–16, support 80%". */
  basis: string
  /** Packets with a positive weight behind the value, strongest first. */
  evidence: Citation[]
  /** Packets with a negative weight for this setting (their value did not help). */
  against: Citation[]
}

function cite (e: WeightedEvidence, value: ParamValue): Citation {
  return {
    cid: e.cid,
    author: e.author,
    own: e.own,
    delta: e.body.delta,
    nEval: e.body.nEval,
    reproduced: e.verdict ?? 'not yet',
    weight: e.weight,
    value
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`

function basisOf (p: ParamAdvice): string {
  if (p.kind === 'numeric') return `weighted median of ${p.n} packet${p.n === 1 ? '' : 's'}, IQR ${p.q1}–${p.q3}, support ${pct(p.support)}`
  return `weighted vote ${p.votes.map(v => `${String(v.value)}:${v.weight.toFixed(3)}`).join(' ')}, support ${pct(p.support)}`
}

/** One explanation per recommended setting: the method first, then the parameters by name. */
export function explainRecommendation (rec: Recommendation): SettingExplanation[] {
  if (rec.method == null) return []
  const mine = rec.evidence.filter(e => e.body.method === rec.method)
  const byWeight = (a: Citation, b: Citation): number => Math.abs(b.weight) - Math.abs(a.weight)
  const out: SettingExplanation[] = [{
    setting: 'method',
    value: rec.method,
    basis: `weighted vote ${rec.methodVotes.map(v => `${String(v.value)}:${v.weight.toFixed(3)}`).join(' ')}`,
    evidence: mine.filter(e => e.weight > 0).map(e => cite(e, e.body.method)).sort(byWeight),
    against: rec.evidence.filter(e => e.weight < 0).map(e => cite(e, e.body.method)).sort(byWeight)
  }]
  for (const [key, advice] of Object.entries(rec.params)) {
    const value = advice.kind === 'numeric' ? advice.median : advice.value
    if (value === undefined || (typeof value === 'number' && Number.isNaN(value))) continue
    const withKey = mine.filter(e => key in e.body.params)
    // a numeric median rests on every helpful packet's value; a vote on the packets with the winning value
    const supports = (e: WeightedEvidence): boolean => e.weight > 0 && (advice.kind === 'numeric' || e.body.params[key] === value)
    out.push({
      setting: key,
      value,
      basis: basisOf(advice),
      evidence: withKey.filter(supports).map(e => cite(e, e.body.params[key]!)).sort(byWeight),
      against: withKey.filter(e => e.weight < 0).map(e => cite(e, e.body.params[key]!)).sort(byWeight)
    })
  }
  return out
}
