/**
 * Reproduction rules (the seed's "VOTE" election made concrete).
 *
 * - verdict: a reproduction of a claimed delta d with measured m *reproduces* when
 *   sign(d)·m ≥ REPRODUCE_MIN_RATIO·|d| − REPRODUCE_ABS_TOLERANCE (it keeps at least half the claimed
 *   effect, in the claimed direction); otherwise it *fails*. For d = 0, |m| ≤ tolerance reproduces.
 * - strength of one reproduction: reputation(reproducer) · n / (n + 30) (small evals count less).
 *   One voice per reproducer per packet (the latest); the packet's own author does not count.
 * - packet factor: min(2, 1 + 0.5·S) / (1 + 2·F), S and F the summed strengths of reproducing and
 *   failing reproductions: 1 with none, ⅓ after one full-strength failure.
 * - author reputation: (3 + ok) / (3 + ok + 1.5·bad) over the author's packets whose net verdict is
 *   reproduced (ok) or failed (bad): one failure costs a third, repeated failures drive it to 0.
 */
import { REPRODUCE_ABS_TOLERANCE, REPRODUCE_MIN_RATIO } from './constants.ts'

export type Verdict = 'reproduced' | 'failed'

export function reproductionVerdict (claimedDelta: number, measuredDelta: number): Verdict {
  if (claimedDelta === 0) return Math.abs(measuredDelta) <= REPRODUCE_ABS_TOLERANCE ? 'reproduced' : 'failed'
  const sign = Math.sign(claimedDelta)
  return sign * measuredDelta >= REPRODUCE_MIN_RATIO * Math.abs(claimedDelta) - REPRODUCE_ABS_TOLERANCE ? 'reproduced' : 'failed'
}

export function reproductionStrength (nEval: number, reproducerReputation: number): number {
  return clamp01(reproducerReputation) * (nEval / (nEval + 30))
}

export interface ReproductionTally {
  /** Summed strength of reproductions that reproduced the claim. */
  reproduced: number
  /** Summed strength of reproductions that failed. */
  failed: number
  count: number
}

export function reproductionFactor (tally: ReproductionTally): number {
  return Math.min(2, 1 + 0.5 * tally.reproduced) / (1 + 2 * tally.failed)
}

/** Net verdict of a packet: undefined when nobody reproduced it. */
export function netVerdict (tally: ReproductionTally): Verdict | undefined {
  if (tally.count === 0) return undefined
  return tally.failed > tally.reproduced ? 'failed' : 'reproduced'
}

export function authorReputation (ok: number, bad: number): number {
  return (3 + ok) / (3 + ok + 1.5 * bad)
}

function clamp01 (x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0
}
