/**
 * The confidence an outcome claims when its author gave none: how likely the measured delta
 * between baseline and score is real, from the number of evaluated items and whether they were
 * held out. Trust's outcome screen checks claimed confidences against the same rule.
 */

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
function erf (x: number): number {
  const s = Math.sign(x)
  const a = Math.abs(x)
  const t = 1 / (1 + 0.3275911 * a)
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a)
  return s * y
}

/**
 * Confidence that the measured delta is real: P(|Z| < z) with z = |delta| / σ and
 * σ = √(0.5·scale²/nEval), the sampling error bound of a difference of two bounded scores
 * (scale = max(1, |baseline|, |score|)); halved when the evaluation was not held out.
 */
export function measuredConfidence (baseline: number, score: number, nEval: number, heldOut: boolean): number {
  const scale = Math.max(1, Math.abs(baseline), Math.abs(score))
  const sigma = Math.sqrt(0.5 * scale * scale / nEval)
  const c = erf(Math.abs(score - baseline) / sigma / Math.SQRT2) * (heldOut ? 1 : 0.5)
  return Math.round(c * 1000) / 1000
}
