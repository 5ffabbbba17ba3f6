/**
 * Policy presets: what evidence makes a quarantined artifact `trusted` or `rejected`.
 *
 * All presets: deny-listed author or source → rejected; a failed screen or canary → rejected;
 * votes, reproductions and revocations that pass their screens are trusted (they are evidence,
 * weighed later by the voter's reputation).
 *
 * - `open`: screens (and the canary, when a model is available) suffice.
 * - `community` (default): adapters with weights need the local canary, or an allow-listed
 *   author, or ≥ 2/3 of reputation-weighted votes of known peers; experiences and outcomes need
 *   their screens and are rejected when known peers vote them down by 2/3.
 * - `strict`: only local checks and allow-listed authors: adapters need the local canary or an
 *   allow-listed author; experiences need the local A/B check or an allow-listed author;
 *   outcomes need a reproduction or an allow-listed author. Peers' votes never decide.
 */
import type { CanaryReport } from './canary.ts'
import type { PeerList } from './reputation.ts'
import type { ScreenReport } from './screen-report.ts'
import type { VoteTally } from './votes.ts'
import type { Kind } from '../artifacts/index.ts'

export const POLICY_PRESETS = ['open', 'community', 'strict'] as const
export type PolicyPreset = (typeof POLICY_PRESETS)[number]

/** `unavailable`: no local model; `not-applicable`: this kind has no canary; `skipped`: screens failed first. */
export type CanaryOutcome = CanaryReport | 'unavailable' | 'not-applicable' | 'skipped'

export interface PolicyInput {
  kind: Kind
  /** Adapters only: true when the adapter carries weights (not a knowledge card). */
  hasWeights: boolean
  authorList: PeerList | null
  sourceList: PeerList | null
  screen: ScreenReport
  canary: CanaryOutcome
  votes: VoteTally | undefined
  /** Why this node cannot run the local check that would decide this artifact (no model, no data). */
  unavailable?: string
}

export type DecidedBy = 'local' | 'votes' | 'allow-list' | 'deny-list' | 'policy' | 'user'

export interface PolicyDecision {
  status: 'trusted' | 'rejected' | 'quarantined'
  code: string
  reason: string
  by: DecidedBy
  /** The vote this node signs about the artifact (only when its own checks decided). */
  vote?: { verdict: 1 | -1, reason: string }
}

const META_KINDS: readonly Kind[] = ['vote', 'reproduction', 'revocation']

export function decide (preset: PolicyPreset, input: PolicyInput): PolicyDecision {
  const { screen, canary, votes } = input
  if (input.authorList === 'deny') return { status: 'rejected', code: 'deny-list', reason: 'author is deny-listed', by: 'deny-list' }
  if (input.sourceList === 'deny') return { status: 'rejected', code: 'deny-list', reason: 'source peer is deny-listed', by: 'deny-list' }
  const meta = META_KINDS.includes(input.kind)
  if (screen.verdict === 'fail') {
    return { status: 'rejected', code: `screen:${screen.code}`, reason: `screen: ${screen.reason}`, by: 'local', ...(meta ? {} : { vote: { verdict: -1, reason: `screen-fail:${screen.code}` } }) }
  }
  if (typeof canary === 'object' && !canary.pass) {
    return { status: 'rejected', code: canary.code, reason: canary.reason, by: 'local', vote: { verdict: -1, reason: canary.code } }
  }
  if (meta) return { status: 'trusted', code: 'screen-pass', reason: `screen: ${screen.reason}`, by: 'local' }
  const allowed = input.authorList === 'allow'
  if (screen.verdict === 'hold') {
    if (allowed) return { status: 'trusted', code: 'allow-list', reason: `author is allow-listed (${screen.reason})`, by: 'allow-list' }
    const cannot = input.unavailable != null ? `; ${input.unavailable}` : ''
    return { status: 'quarantined', code: screen.code, reason: `${screen.reason}${cannot}`, by: 'policy' }
  }
  if (typeof canary === 'object') {
    return { status: 'trusted', code: 'canary-pass', reason: `${screen.reason}; ${canary.reason}`, by: 'local', vote: { verdict: 1, reason: 'canary-pass' } }
  }
  const votesAgainst = votes?.verdict === -1
  const votesFor = votes?.verdict === 1
  const needsCanary = input.kind === 'adapter' && input.hasWeights
  const screensOnly: PolicyDecision = { status: 'trusted', code: 'screen-pass', reason: `screen: ${screen.reason}`, by: 'local', vote: { verdict: 1, reason: 'screen-pass' } }

  if (preset === 'open') return screensOnly
  if (preset === 'community') {
    if (votesAgainst && !allowed) return { status: 'rejected', code: 'votes', reason: `known peers voted it down: ${votes.summary}`, by: 'votes' }
    if (!needsCanary) return screensOnly
    if (allowed) return { status: 'trusted', code: 'allow-list', reason: `screen passed, no local model; author is allow-listed`, by: 'allow-list' }
    if (votesFor) return { status: 'trusted', code: 'votes', reason: `screen passed, no local model; known peers' canaries vouch for it: ${votes.summary}`, by: 'votes' }
    const held = input.unavailable != null ? `held: ${input.unavailable}; allow-list the author or wait for votes` : 'screen passed; waiting for the local canary or votes of known peers'
    return { status: 'quarantined', code: 'awaiting-votes', reason: `${held} (${votes?.summary ?? 'no votes yet'})`, by: 'policy' }
  }
  // strict
  if (allowed) return { status: 'trusted', code: 'allow-list', reason: `screen passed; author is allow-listed`, by: 'allow-list' }
  const what = needsCanary ? 'a local canary' : input.kind === 'experience' ? 'a local A/B check' : input.kind === 'outcome' ? 'a reproduction' : 'a local check'
  if (input.kind === 'outcome' && screen.evidence.reproductions != null) return screensOnly
  const cannot = input.unavailable != null ? ` (held: ${input.unavailable})` : ''
  return { status: 'quarantined', code: 'strict', reason: `strict policy: screen passed; needs ${what} or an allow-listed author${cannot}`, by: 'policy' }
}
