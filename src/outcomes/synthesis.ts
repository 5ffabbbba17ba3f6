/**
 * Local synthesis of outcome packets into a recommendation. Pure functions; see docs/outcomes.md.
 *
 * strength v_i = confidence · √nEval · reproduction factor · author reputation · similarity
 *               · held-out factor (1, or 0.5 when not held out) · scale factor (2^−|Δ bucket|)
 *               / (packets of that author in the evidence: one voice per author)
 * weight   w_i = delta_i · v_i   (negative deltas are evidence against their configuration)
 *
 * method  → signed weighted vote (Σ w_i per method); the best positive total wins;
 * numeric → weighted median and quartiles over packets of that method with w_i > 0 (weights w_i);
 *           values from w_i < 0 packets are listed under `against`;
 * other   → signed weighted vote per value; negative totals are listed under `against`;
 * delta   → μ = Σ v_i d_i / Σ v_i over the method's packets; se² = Σ v_i² (s_b² + σ_i²) / (Σ v_i)²
 *           with s_b² the weighted between-packet variance and σ_i² = 0.5·scale_i²/n_i the
 *           sampling variance of a difference of two bounded scores; interval μ ± 1.96·se.
 */
import { DATA_SCALES } from '../artifacts/index.ts'
import type { OutcomeBody, ParamValue } from '../artifacts/index.ts'
import type { DataScale } from './packet.ts'

export interface Evidence {
  cid: string
  author: string
  body: OutcomeBody
  match: 'exact' | 'near'
  /** Cosine similarity of contexts (1 for exact matches). */
  similarity: number
  /** Reproduction factor (1 when nobody reproduced it). */
  reproduction: number
  /** Net verdict of its reproductions; absent when nobody reproduced it. */
  verdict?: 'reproduced' | 'failed'
  /** Author reputation in [0, 1]. */
  reputation: number
  /** True when this node authored it. */
  own: boolean
}

export interface SynthesisOptions {
  /** The asker's data-scale bucket; packets from other buckets count less. */
  dataScale?: DataScale
}

export interface WeightedEvidence extends Evidence {
  strength: number
  weight: number
}

export interface Vote { value: ParamValue, weight: number }

export type ParamAdvice =
  | { kind: 'numeric', median: number, q1: number, q3: number, iqr: number, support: number, n: number, against: Vote[] }
  | { kind: 'categorical', value: ParamValue | undefined, votes: Vote[], support: number, n: number, against: Vote[] }

export interface ExpectedDelta { mean: number, low: number, high: number, se: number, nEff: number }

export interface Recommendation {
  method: string | undefined
  methodVotes: Vote[]
  params: Record<string, ParamAdvice>
  expectedDelta: ExpectedDelta | undefined
  /** Negative-delta packets: configurations the evidence speaks against. */
  against: Array<{ cid: string, author: string, method: string, params: Record<string, ParamValue>, delta: number, weight: number }>
  evidence: WeightedEvidence[]
  authors: string[]
  warnings: string[]
}

export function scaleFactor (a: DataScale | undefined, b: DataScale): number {
  if (a == null) return 1
  return 2 ** -Math.abs(DATA_SCALES.indexOf(a) - DATA_SCALES.indexOf(b))
}

/** Strength and signed weight of each packet, with one voice per author. */
export function weigh (evidence: readonly Evidence[], options: SynthesisOptions = {}): WeightedEvidence[] {
  const perAuthor = new Map<string, number>()
  for (const e of evidence) perAuthor.set(e.author, (perAuthor.get(e.author) ?? 0) + 1)
  return evidence.map(e => {
    const b = e.body
    const strength = b.confidence * Math.sqrt(b.nEval) * e.reproduction * e.reputation * e.similarity *
      (b.heldOut ? 1 : 0.5) * scaleFactor(options.dataScale, b.dataScale) / perAuthor.get(e.author)!
    return { ...e, strength, weight: b.delta * strength }
  })
}

/** Weighted quantile: the first value (ascending) whose cumulative weight reaches q·W. */
export function weightedQuantile (items: ReadonlyArray<{ value: number, weight: number }>, q: number): number {
  const sorted = items.filter(i => i.weight > 0).sort((a, b) => a.value - b.value)
  if (sorted.length === 0) return Number.NaN
  const total = sorted.reduce((s, i) => s + i.weight, 0)
  let cum = 0
  for (const i of sorted) {
    cum += i.weight
    if (cum >= q * total * (1 - 1e-12)) return i.value
  }
  return sorted[sorted.length - 1]!.value
}

/** Signed vote: total weight per value, best first. */
export function vote (items: ReadonlyArray<{ value: ParamValue, weight: number }>): Vote[] {
  const totals = new Map<string, Vote>()
  for (const i of items) {
    const k = `${typeof i.value}:${String(i.value)}`
    const cur = totals.get(k) ?? { value: i.value, weight: 0 }
    cur.weight += i.weight
    totals.set(k, cur)
  }
  return [...totals.values()].sort((a, b) => b.weight - a.weight)
}

export function expectedDelta (items: readonly WeightedEvidence[]): ExpectedDelta | undefined {
  const xs = items.filter(e => e.strength > 0)
  const sv = xs.reduce((s, e) => s + e.strength, 0)
  if (xs.length === 0 || sv === 0) return undefined
  const mean = xs.reduce((s, e) => s + e.strength * e.body.delta, 0) / sv
  const between = xs.reduce((s, e) => s + e.strength * (e.body.delta - mean) ** 2, 0) / sv
  const sv2 = xs.reduce((s, e) => s + e.strength ** 2, 0)
  const variance = xs.reduce((s, e) => {
    const scale = Math.max(1, Math.abs(e.body.baseline), Math.abs(e.body.score))
    return s + e.strength ** 2 * (between + 0.5 * scale ** 2 / e.body.nEval)
  }, 0) / (sv * sv)
  const se = Math.sqrt(variance)
  return { mean, low: mean - 1.96 * se, high: mean + 1.96 * se, se, nEff: (sv * sv) / sv2 }
}

function adviseParam (packets: readonly WeightedEvidence[], key: string, positiveTotal: number): ParamAdvice {
  const withKey = packets.filter(p => key in p.body.params)
  const values = withKey.map(p => ({ value: p.body.params[key]!, weight: p.weight }))
  const support = positiveTotal > 0 ? withKey.filter(p => p.weight > 0).reduce((s, p) => s + p.weight, 0) / positiveTotal : 0
  if (values.every(v => typeof v.value === 'number')) {
    const nums = values as Array<{ value: number, weight: number }>
    const pos = nums.filter(v => v.weight > 0)
    const q1 = weightedQuantile(pos, 0.25)
    const q3 = weightedQuantile(pos, 0.75)
    return {
      kind: 'numeric',
      median: weightedQuantile(pos, 0.5),
      q1,
      q3,
      iqr: q3 - q1,
      support,
      n: pos.length,
      against: vote(nums.filter(v => v.weight < 0).map(v => ({ value: v.value, weight: -v.weight })))
    }
  }
  const votes = vote(values)
  const best = votes[0]
  return {
    kind: 'categorical',
    value: best != null && best.weight > 0 ? best.value : undefined,
    votes,
    support,
    n: values.length,
    against: votes.filter(v => v.weight < 0).map(v => ({ value: v.value, weight: -v.weight }))
  }
}

/** Synthesises a recommendation from matched packets. */
export function synthesise (evidence: readonly Evidence[], options: SynthesisOptions = {}): Recommendation {
  const weighted = weigh(evidence, options)
  const warnings: string[] = []
  const methodVotes = vote(weighted.map(e => ({ value: e.body.method, weight: e.weight })))
  const best = methodVotes[0]
  const method = best != null && best.weight > 0 ? String(best.value) : undefined
  if (evidence.length === 0) warnings.push('no matching outcome packets: nothing to recommend')
  else if (method == null) warnings.push('all evidence is negative or weightless: no method is recommended')
  const params: Record<string, ParamAdvice> = {}
  let delta: ExpectedDelta | undefined
  if (method != null) {
    const mine = weighted.filter(e => e.body.method === method)
    const positiveTotal = mine.filter(e => e.weight > 0).reduce((s, e) => s + e.weight, 0)
    const keys = [...new Set(mine.flatMap(e => Object.keys(e.body.params)))].sort()
    for (const k of keys) params[k] = adviseParam(mine, k, positiveTotal)
    delta = expectedDelta(mine)
    if (delta != null && delta.nEff < 2) warnings.push(`expected delta rests on about ${delta.nEff.toFixed(1)} packet(s) of evidence`)
  }
  const against = weighted.filter(e => e.weight < 0).sort((a, b) => a.weight - b.weight).map(e => ({
    cid: e.cid, author: e.author, method: e.body.method, params: e.body.params, delta: e.body.delta, weight: e.weight
  }))
  return {
    method,
    methodVotes,
    params,
    expectedDelta: delta,
    against,
    evidence: [...weighted].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)),
    authors: [...new Set(weighted.map(e => e.author))].sort(),
    warnings
  }
}
