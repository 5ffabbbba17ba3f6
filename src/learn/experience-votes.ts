/**
 * Sharing: signed `vote` artifacts on experiences, the votes a library holds for one, a local
 * reputation from agreement with this node's own votes, the admission screen for received
 * experiences, a canary (A/B on local tasks) that produces this node's own vote, and the review
 * that applies {@link decideExperience} to peers' experiences.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createArtifact, parseCid } from '../artifacts/index.ts'
import { decideExperience } from './dso-vote.ts'
import { InvalidLearnOptionsError } from './errors.ts'
import { validateExperienceText } from './experience-text.ts'
import { evaluateLearning } from './learn-eval.ts'
import type { DecideOptions, ExperienceDecision, ExperienceVote, OwnVerdict, ReputationLookup } from './dso-vote.ts'
import type { Grader } from './graders.ts'
import type { Task } from './tasks.ts'
import type { ExperienceBody, ParamValue, SignedArtifact, VoteBody } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'
import type { LlmRuntime } from '../runtime/index.ts'
import type { PrivateKey } from '@libp2p/interface'

const log = logger('baobab:learn:votes')

export interface CastVoteOptions {
  score?: number
  /** Short reason code, e.g. `canary-pass`, `canary-fail`, `junk`. */
  reason: string
  evidence?: Record<string, ParamValue>
  created?: number
}

/** Signs a vote on `target` and stores it (trusted, shareable: votes travel). */
export async function castVote (library: Library, privateKey: PrivateKey, target: string, verdict: 1 | -1, options: CastVoteOptions): Promise<SignedArtifact<'vote'>> {
  if (options.score !== undefined && !(options.score >= 0 && options.score <= 1)) throw new InvalidLearnOptionsError('score', 'must be in 0..1')
  const body: VoteBody = { target: parseCid(target), verdict, reason: options.reason.slice(0, 64) }
  if (options.score !== undefined) body.score = options.score
  if (options.evidence !== undefined) body.evidence = options.evidence
  const vote = await createArtifact('vote', body, privateKey, options.created != null ? { created: options.created } : {})
  library.put(vote, { status: 'trusted', shareable: true })
  return vote
}

/**
 * Every vote on `target` the library holds (rejected votes excluded), plus the author's own
 * claim — the experience's `confidence` — as the author's vote unless the author voted explicitly.
 */
export function votesFor (library: Library, target: string): ExperienceVote[] {
  const out: ExperienceVote[] = []
  for (const v of library.list({ kind: 'vote' })) {
    if (v.status === 'rejected') continue
    const body = v.envelope.body as VoteBody
    if (body.target.toString() !== target) continue
    out.push({ voter: v.author, verdict: body.verdict, ...(body.score !== undefined ? { score: body.score } : {}), created: v.created })
  }
  const exp = library.get(target)
  if (exp != null && exp.kind === 'experience' && !out.some(v => v.voter === exp.author)) {
    out.push({ voter: exp.author, verdict: 1, score: (exp.envelope.body as ExperienceBody).confidence, created: exp.created })
  }
  return out
}

export interface AgreementReputationInit {
  /** Known starting reputations (allow-listed peers, the trust component's scores). */
  prior?: ReadonlyMap<string, number>
}

/**
 * Reputation from this node's own experience of each voter, on targets both voted on (latest vote
 * per key and target). Disagreement always counts; agreement counts only for votes this node had
 * received before casting its own, so copying the node's public votes earns nothing. Without a
 * prior: agree / (n + 2), capped at 0.5 (more needs a prior, e.g. an allow-list or the trust
 * component's score); with a prior p: (p + agree) / (1 + n). Keys with neither stay unknown (the
 * decision gives them the newcomer weight).
 */
export function agreementReputation (library: Library, self: string, init: AgreementReputationInit = {}): (voter: string) => number | undefined {
  // one voice per key here too: the latest vote of each key on each target
  const latest = new Map<string, { voter: string, target: string, verdict: 1 | -1, created: number, received: number }>()
  for (const v of library.list({ kind: 'vote' })) {
    const body = v.envelope.body as VoteBody
    const k = `${v.author} ${body.target.toString()}`
    const prev = latest.get(k)
    if (prev == null || v.created >= prev.created) latest.set(k, { voter: v.author, target: body.target.toString(), verdict: body.verdict, created: v.created, received: v.received })
  }
  const mine = new Map<string, { verdict: 1 | -1, created: number }>()
  const theirs = new Map<string, Array<{ target: string, verdict: 1 | -1, received: number }>>()
  for (const v of latest.values()) {
    if (v.voter === self) mine.set(v.target, { verdict: v.verdict, created: v.created })
    else {
      const list = theirs.get(v.voter) ?? []
      list.push({ target: v.target, verdict: v.verdict, received: v.received })
      theirs.set(v.voter, list)
    }
  }
  const cache = new Map<string, number | undefined>()
  return (voter: string): number | undefined => {
    if (cache.has(voter)) return cache.get(voter)
    let agree = 0
    let n = 0
    for (const t of theirs.get(voter) ?? []) {
      const m = mine.get(t.target)
      if (m == null) continue
      if (m.verdict !== t.verdict) n++
      else if (t.received < m.created) { agree++; n++ }
    }
    const prior = init.prior?.get(voter)
    let rep: number | undefined
    if (prior != null) rep = (prior + agree) / (1 + n)
    else if (n > 0) rep = Math.min(0.5, agree / (n + 2))
    cache.set(voter, rep)
    return rep
  }
}

/** The node's own vote on `target`, if it cast one (the latest). */
export function ownVerdict (library: Library, self: string, target: string): OwnVerdict | undefined {
  let best: StoredArtifact | undefined
  for (const v of library.list({ kind: 'vote', author: self })) {
    if ((v.envelope.body as VoteBody).target.toString() === target && (best == null || v.created >= best.created)) best = v
  }
  if (best == null) return undefined
  const body = best.envelope.body as VoteBody
  return { verdict: body.verdict, ...(body.score !== undefined ? { score: body.score } : {}) }
}

/** Admission screen for a received experience: text rules and prompt-injection patterns. */
export function screenExperience (artifact: SignedArtifact): { ok: true } | { ok: false, reason: string } {
  if (artifact.envelope.kind !== 'experience') return { ok: true }
  try {
    validateExperienceText((artifact.envelope.body as ExperienceBody).text)
    return { ok: true }
  } catch (err) {
    return { ok: false, reason: `screen: ${(err as Error).message}` }
  }
}

export interface ReviewOptions extends DecideOptions {
  reputation: ReputationLookup
  /** This node's peer id (required: its own vote is the canary verdict). */
  self: string
}

export interface ReviewResult {
  cid: string
  text: string
  author: string
  decision: ExperienceDecision
  /** Status after the review. */
  status: StoredArtifact['status']
}

/**
 * Applies the robust vote to every peer experience that is quarantined (or trusted, so later
 * votes can still reject it): accept → trusted, reject → rejected (with the reason), pending →
 * unchanged. Own and revoked experiences are not reviewed.
 */
export function reviewExperiences (library: Library, options: ReviewOptions): ReviewResult[] {
  const out: ReviewResult[] = []
  for (const e of library.list({ kind: 'experience', status: ['quarantined', 'trusted'] })) {
    if (e.author === options.self) continue
    const cid = e.cid.toString()
    const own = ownVerdict(library, options.self, cid)
    const decision = decideExperience(votesFor(library, cid), options.reputation, own, options)
    let status = e.status
    if (decision.decision === 'accept' && e.status !== 'trusted') status = 'trusted'
    if (decision.decision === 'reject') status = 'rejected'
    if (status !== e.status) {
      library.setStatus(cid, status, `vote: ${decision.reason}`)
      log('%s %s: %s', status, cid, decision.reason)
    }
    out.push({ cid, text: (e.envelope.body as ExperienceBody).text, author: e.author, decision, status })
  }
  return out
}

export interface CanaryOptions {
  runtime: LlmRuntime
  grader: Grader
  tasks: Task[]
  seeds?: number[]
  /** |delta| at or below this is no evidence either way (default 0.05). */
  margin?: number
  maxTokens?: number
  signal?: AbortSignal
}

export interface CanaryResult {
  /** Null when the local tasks say nothing about this experience. */
  verdict: 1 | -1 | null
  score: number
  evidence: { with: number, without: number, n: number }
}

/** A/B on local tasks: held-out reward with the one experience in the prompt vs without. */
export async function canaryExperience (text: string, options: CanaryOptions): Promise<CanaryResult> {
  const report = await evaluateLearning({
    runtime: options.runtime,
    grader: options.grader,
    tasks: options.tasks,
    seeds: options.seeds ?? [1, 2],
    source: { relevant: async () => [{ cid: 'canary', text, score: 1, domain: 'canary' }] },
    ...(options.maxTokens != null ? { maxTokens: options.maxTokens } : {}),
    ...(options.signal != null ? { signal: options.signal } : {})
  })
  const delta = report.with.mean - report.without.mean
  const margin = options.margin ?? 0.05
  const verdict = delta > margin ? 1 : delta < -margin ? -1 : null
  const round = (x: number): number => Math.round(x * 1000) / 1000
  return {
    verdict,
    score: round(Math.min(1, Math.max(0, 0.5 + delta))),
    evidence: { with: round(report.with.mean), without: round(report.without.mean), n: report.tasks * report.seeds.length }
  }
}

/** This node's peer id from its key (for `self`). */
export function selfId (privateKey: PrivateKey): string {
  return peerIdFromPrivateKey(privateKey).toString()
}
