/**
 * Robust acceptance of a peer's experience (the seed's 2/3 rule, made Byzantine-robust):
 *
 *   support = weighted median of voter confidence × min(1, total voter weight / quorum)
 *
 * accepted when support ≥ 2/3, rejected when the same rule holds for the opposite side or the
 * node's own canary says no. One voice per key (the latest vote counts). Each voter weighs its
 * reputation (0..1); keys the node knows nothing about get a tiny default, and all low-reputation
 * voters together weigh at most `newcomerCap`, so a thousand fresh keys cannot outvote one
 * reputable peer. The node's own canary/vote weighs `ownWeight` (more than any peer). Pure.
 */
import {
  ACCEPT_THRESHOLD, DEFAULT_NEWCOMER_CAP, DEFAULT_NEWCOMER_REPUTATION, DEFAULT_OWN_WEIGHT, DEFAULT_QUORUM, NEWCOMER_REPUTATION
} from './constants.ts'

export interface ExperienceVote {
  voter: string
  verdict: 1 | -1
  /** The voter's confidence in the experience, 0..1 (default 1 for +1; a −1 always counts as 0). */
  score?: number
  /** Later votes by the same key replace earlier ones. */
  created?: number
}

export interface OwnVerdict {
  verdict: 1 | -1
  score?: number
}

export type ReputationLookup = ((voter: string) => number | undefined) | ReadonlyMap<string, number>

export interface DecideOptions {
  threshold?: number
  quorum?: number
  ownWeight?: number
  newcomerReputation?: number
  newcomerCap?: number
  /** This node's key: its votes in `votes` are ignored when `own` is given. */
  self?: string
}

export interface ExperienceDecision {
  decision: 'accept' | 'reject' | 'pending'
  support: number
  opposition: number
  /** Weighted lower median of confidence. */
  medianConfidence: number
  /** min(1, total weight / quorum). */
  voterWeight: number
  totalWeight: number
  /** Unique voting keys (own included). */
  voters: number
  /** Votes dropped because the same key voted again. */
  duplicates: number
  reason: string
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0)

function lookup (rep: ReputationLookup, voter: string): number | undefined {
  return typeof rep === 'function' ? rep(voter) : rep.get(voter)
}

/** Smallest value whose cumulative weight reaches half the total (ascending). */
function lowerMedian (items: Array<{ c: number, w: number }>, total: number): number {
  let cum = 0
  for (const it of [...items].sort((a, b) => a.c - b.c)) {
    cum += it.w
    if (cum >= total / 2 - 1e-12) return it.c
  }
  return 0
}

/** Largest value whose cumulative weight from the top reaches half the total. */
function upperMedian (items: Array<{ c: number, w: number }>, total: number): number {
  let cum = 0
  for (const it of [...items].sort((a, b) => b.c - a.c)) {
    cum += it.w
    if (cum >= total / 2 - 1e-12) return it.c
  }
  return 1
}

export function decideExperience (votes: ExperienceVote[], reputation: ReputationLookup, own?: OwnVerdict, options: DecideOptions = {}): ExperienceDecision {
  const threshold = options.threshold ?? ACCEPT_THRESHOLD
  const quorum = options.quorum ?? DEFAULT_QUORUM
  const ownWeight = options.ownWeight ?? DEFAULT_OWN_WEIGHT
  const newcomerRep = options.newcomerReputation ?? DEFAULT_NEWCOMER_REPUTATION
  const newcomerCap = options.newcomerCap ?? DEFAULT_NEWCOMER_CAP
  // one voice per key: the latest vote wins
  const latest = new Map<string, { v: ExperienceVote, i: number }>()
  let considered = 0
  votes.forEach((v, i) => {
    if (own != null && options.self != null && v.voter === options.self) return
    considered++
    const prev = latest.get(v.voter)
    if (prev == null || (v.created ?? 0) > (prev.v.created ?? 0) || ((v.created ?? 0) === (prev.v.created ?? 0) && i > prev.i)) latest.set(v.voter, { v, i })
  })
  const duplicates = considered - latest.size
  const items: Array<{ c: number, w: number }> = []
  const newcomers: Array<{ c: number, w: number }> = []
  for (const { v } of latest.values()) {
    const rep = clamp01(lookup(reputation, v.voter) ?? newcomerRep)
    const c = v.verdict === 1 ? clamp01(v.score ?? 1) : 0
    ;(rep < NEWCOMER_REPUTATION ? newcomers : items).push({ c, w: rep })
  }
  const newcomerTotal = newcomers.reduce((s, x) => s + x.w, 0)
  const scale = newcomerTotal > newcomerCap ? newcomerCap / newcomerTotal : 1
  for (const n of newcomers) items.push({ c: n.c, w: n.w * scale })
  if (own != null) items.push({ c: own.verdict === 1 ? clamp01(own.score ?? 1) : 0, w: ownWeight })
  const weighted = items.filter(x => x.w > 0)
  const total = weighted.reduce((s, x) => s + x.w, 0)
  const voterWeight = Math.min(1, total / quorum)
  const lo = weighted.length === 0 ? 0 : lowerMedian(weighted, total)
  const hi = weighted.length === 0 ? 1 : upperMedian(weighted, total)
  const support = lo * voterWeight
  const opposition = (1 - hi) * voterWeight
  const base = { support, opposition, medianConfidence: lo, voterWeight, totalWeight: total, voters: latest.size + (own != null ? 1 : 0), duplicates }
  const fmt = (x: number): string => x.toFixed(2)
  if (own?.verdict === -1) return { ...base, decision: 'reject', reason: 'own canary/vote rejected it' }
  if (support >= threshold - 1e-12) return { ...base, decision: 'accept', reason: `support ${fmt(support)} ≥ ${fmt(threshold)} (median confidence ${fmt(lo)} × voter weight ${fmt(voterWeight)})` }
  if (opposition >= threshold - 1e-12) return { ...base, decision: 'reject', reason: `opposition ${fmt(opposition)} ≥ ${fmt(threshold)} (median confidence ${fmt(hi)}, voter weight ${fmt(voterWeight)})` }
  return { ...base, decision: 'pending', reason: `support ${fmt(support)} and opposition ${fmt(opposition)} below ${fmt(threshold)} (voter weight ${fmt(voterWeight)} of quorum ${quorum})` }
}
