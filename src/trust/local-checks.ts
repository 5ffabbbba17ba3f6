/**
 * Which of its own checks this node can run: the adapter canary (a local model that loads LoRA
 * weights), the experience A/B check (a model and a local task set) and outcome reproduction
 * (a model and the evaluation's data). A check that cannot run says why, and that reason is what
 * a held decision and `trust status` show.
 */
import type { Kind } from '../artifacts/index.ts'

export const LOCAL_CHECKS = ['canary', 'experience', 'reproduction'] as const
export type LocalCheckName = (typeof LOCAL_CHECKS)[number]

export interface LocalCheck {
  available: boolean
  /** What runs it (e.g. the model), or why it cannot run here. */
  detail: string
}

export type LocalChecks = Record<LocalCheckName, LocalCheck>

const WHY_NOT: LocalChecks = {
  canary: { available: false, detail: 'no local model to run the canary' },
  experience: { available: false, detail: 'no local model and task set to run the A/B check' },
  reproduction: { available: false, detail: 'no local model and evaluation data to reproduce outcomes' }
}

/** Availability from what was wired (`present`), with the node's own explanations where given. */
export function localChecks (present: Record<LocalCheckName, string | undefined>, why: Partial<Record<LocalCheckName, string>> = {}): LocalChecks {
  const out = {} as LocalChecks
  for (const name of LOCAL_CHECKS) {
    const by = present[name]
    out[name] = by != null ? { available: true, detail: by } : { available: false, detail: why[name] ?? WHY_NOT[name].detail }
  }
  return out
}

/** The local check that could decide an artifact of `kind` without votes, when this node lacks it. */
export function missingCheck (checks: LocalChecks, kind: Kind, hasWeights: boolean): string | undefined {
  const name: LocalCheckName | undefined = kind === 'adapter' && hasWeights ? 'canary' : kind === 'experience' ? 'experience' : kind === 'outcome' ? 'reproduction' : undefined
  if (name == null || checks[name].available) return undefined
  return checks[name].detail
}
