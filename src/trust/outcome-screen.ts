/**
 * Outcome screen: is the claim possible, and is it believable?
 * - text fields free of injection (they feed synthesis and advice);
 * - bounded metrics (accuracy, F1, ROUGE, BLEU, pass@k, …) inside 0..1 (or 0..100 percent),
 *   improvement ≤ 0.5 of the scale; error metrics (loss, perplexity, WER, …) non-negative;
 * - delta = score − baseline; confidence no higher than nEval supports (+0.15);
 * - an in-sample eval (heldOut false) cannot have more items than the data-scale bucket allows;
 * - reproductions by reputable peers that fail → rejected ("non-reproducing");
 * - a claim far above what trusted peers report for the same family/task/benchmark, or a large
 *   claim with no peer context, waits in quarantine for a reproduction (`hold`).
 */
import { measuredConfidence, reproductionStrength, reproductionVerdict } from '../outcomes/index.ts'
import { CONFIDENCE_SLACK, DATA_SCALE_MAX, MAX_BOUNDED_DELTA, MIN_PEER_REPORTS, OUTLIER_MARGIN } from './constants.ts'
import { Checks, fmt, injectionCheck } from './screen-report.ts'
import type { ScreenReport } from './screen-report.ts'
import type { OutcomeBody, ReproductionBody } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'

/** Without peer reports, a normalised improvement above this waits for a reproduction. */
export const LARGE_CLAIM = 0.25

const BOUNDED = /acc|f1|rouge|bleu|exact|(^|[^a-z])em($|[^a-z])|pass@|auc|precision|recall|map|ndcg|win|meteor|chrf|sari|bertscore|match|hit|mrr/i
const LOWER_BETTER = /perplex|ppl|loss|wer|cer|mae|mse|rmse|error|latency/i

export interface OutcomeScreenContext {
  library: Library
  /** Vote weight of a peer (0 for strangers). */
  weight: (peer: string) => number
}

/** Normalised scale of a bounded metric: 1 (0..1) or 100 (percent); undefined when out of range. */
function boundedScale (baseline: number, score: number): number | undefined {
  const hi = Math.max(baseline, score)
  const lo = Math.min(baseline, score)
  if (lo < 0) return undefined
  if (hi <= 1) return 1
  if (hi <= 100) return 100
  return undefined
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] as number : ((s[m - 1] as number) + (s[m] as number)) / 2
}

export interface ReproductionSummary {
  count: number
  reproduced: number
  failed: number
  measured: number[]
}

/** Reproductions of `target` by reputable peers other than its author, weighted by reputation and nEval. */
export function reproductionsOf (outcome: StoredArtifact, ctx: OutcomeScreenContext): ReproductionSummary {
  const target = outcome.cid.toString()
  const claimed = (outcome.envelope.body as OutcomeBody).delta
  const latest = new Map<string, StoredArtifact>()
  for (const r of ctx.library.list({ kind: 'reproduction', status: 'trusted' })) {
    if ((r.envelope.body as ReproductionBody).target.toString() !== target || r.author === outcome.author) continue
    const prev = latest.get(r.author)
    if (prev == null || prev.created < r.created) latest.set(r.author, r)
  }
  const out: ReproductionSummary = { count: 0, reproduced: 0, failed: 0, measured: [] }
  for (const r of latest.values()) {
    const b = r.envelope.body as ReproductionBody
    const strength = reproductionStrength(b.nEval, ctx.weight(r.author))
    if (strength <= 0) continue
    out.count++
    out.measured.push(b.measuredDelta)
    if (reproductionVerdict(claimed, b.measuredDelta) === 'reproduced') out.reproduced += strength
    else out.failed += strength
  }
  return out
}

export function screenOutcome (artifact: StoredArtifact, ctx: OutcomeScreenContext): ScreenReport {
  const o = artifact.envelope.body as OutcomeBody
  const checks = new Checks()
  const strings: Array<[string, string]> = [['task', o.task], ['benchmark', o.benchmark], ['method', o.method], ...o.tags.map((t, i): [string, string] => [`tags[${i}]`, t])]
  for (const [k, v] of Object.entries(o.params)) if (typeof v === 'string') strings.push([`params.${k}`, v])
  injectionCheck(checks, strings)
  checks.add('delta', Math.abs(o.score - o.baseline - o.delta) <= 1e-9 * Math.max(1, Math.abs(o.score)), `delta ${fmt(o.delta)} = score ${fmt(o.score)} − baseline ${fmt(o.baseline)}`)

  let normDelta = o.delta
  if (BOUNDED.test(o.benchmark) && !LOWER_BETTER.test(o.benchmark)) {
    const scale = boundedScale(o.baseline, o.score)
    if (checks.add('range', scale != null, `${o.benchmark}: baseline ${fmt(o.baseline)} and score ${fmt(o.score)} must lie in 0..1 (or 0..100)`)) {
      normDelta = o.delta / (scale as number)
      checks.add('delta-size', Math.abs(normDelta) <= MAX_BOUNDED_DELTA, `improvement ${fmt(normDelta)} of the metric's range (at most ${MAX_BOUNDED_DELTA})`)
    }
  } else if (LOWER_BETTER.test(o.benchmark)) {
    checks.add('range', o.baseline >= 0 && o.score >= 0, `${o.benchmark} is an error metric: baseline ${fmt(o.baseline)} and score ${fmt(o.score)} must be ≥ 0`)
    normDelta = o.baseline > 0 ? -o.delta / o.baseline : 0
    checks.add('delta-size', normDelta <= 0.9, `relative error reduction ${fmt(normDelta)} (at most 0.9)`)
  }
  const supported = measuredConfidence(o.baseline, o.score, o.nEval, o.heldOut)
  checks.add('confidence', o.confidence <= supported + CONFIDENCE_SLACK, `confidence ${fmt(o.confidence)}; nEval ${o.nEval} supports ${fmt(supported)} (+${CONFIDENCE_SLACK})`)
  const bucket = DATA_SCALE_MAX[o.dataScale] ?? Infinity
  checks.add('n-eval', o.heldOut || o.nEval <= bucket, `${o.heldOut ? 'held-out' : 'in-sample'} eval of ${o.nEval} items, data scale ${o.dataScale} (< ${bucket} examples)`)
  checks.evidence.normDelta = Number(normDelta.toPrecision(4))
  if (checks.failed) return checks.report('')

  const rep = reproductionsOf(artifact, ctx)
  if (rep.count > 0) {
    checks.add('reproduction', rep.failed <= rep.reproduced,
      `${rep.count} reproduction(s) measured median Δ ${fmt(median(rep.measured))} against the claimed ${fmt(o.delta)} (support ${fmt(rep.reproduced)} vs ${fmt(rep.failed)})`)
    checks.evidence.reproductions = rep.count
    if (checks.failed) return checks.report('')
  }
  const reproduced = rep.count > 0 && rep.reproduced > rep.failed
  if (!reproduced) {
    const peers = ctx.library.list({ kind: 'outcome', status: 'trusted' }).filter(p => {
      const b = p.envelope.body as OutcomeBody
      return p.author !== artifact.author && b.family === o.family && b.task === o.task && b.benchmark === o.benchmark
    }).map(p => (p.envelope.body as OutcomeBody).delta)
    if (peers.length >= MIN_PEER_REPORTS) {
      const m = median(peers)
      const mad = median(peers.map(d => Math.abs(d - m)))
      const limit = m + Math.max(OUTLIER_MARGIN * Math.max(1, Math.abs(o.score) > 1 ? 100 : 1), 4 * mad)
      if (o.delta > limit) checks.hold('awaiting-reproduction', `claims Δ ${fmt(o.delta)}, far above ${peers.length} peer reports (median ${fmt(m)}, limit ${fmt(limit)}): waits for a reproduction`)
    } else if (normDelta > LARGE_CLAIM) {
      checks.hold('awaiting-reproduction', `claims a large improvement (${fmt(normDelta)} of the scale) with ${peers.length} peer report(s) to compare: waits for a reproduction`)
    }
  }
  return checks.report(`plausible: Δ ${fmt(o.delta)} on ${o.benchmark}, nEval ${o.nEval}${reproduced ? `, reproduced by ${rep.count}` : ''}`)
}
