/**
 * Screens for the artifacts that talk about other artifacts: votes, reproductions, revocations.
 * - vote: a plain reason code, not the target author's own vote, not older than the voter's
 *   latest vote on the same target (a replay);
 * - reproduction: not by the outcome's author, of an outcome (when the target is known);
 * - revocation: signed by the target's author (when the target is known), reason text clean.
 */
import { Checks, injectionCheck } from './screen-report.ts'
import type { ScreenReport } from './screen-report.ts'
import type { ReproductionBody, RevocationBody, VoteBody } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'
import type { DatabaseSync } from 'node:sqlite'

const REASON_CODE = /^[a-z0-9][a-z0-9:._-]*$/i

export function screenVote (artifact: StoredArtifact, library: Library, db: DatabaseSync): ScreenReport {
  const body = artifact.envelope.body as VoteBody
  const checks = new Checks()
  const target = body.target.toString()
  checks.add('reason-code', REASON_CODE.test(body.reason), `reason "${body.reason.slice(0, 64)}" ${REASON_CODE.test(body.reason) ? 'is' : 'is not'} a plain code`)
  const t = library.get(target)
  if (t != null) checks.add('self-vote', t.author !== artifact.author, t.author === artifact.author ? 'a vote by the target\'s own author does not count' : 'voter is not the target\'s author')
  const latest = db.prepare('SELECT vote_cid, created FROM trust_votes WHERE target = ? AND voter = ?').get(target, artifact.author) as { vote_cid: string, created: number } | undefined
  if (latest != null && latest.vote_cid !== artifact.cid.toString()) {
    checks.add('replay', artifact.created > latest.created, artifact.created > latest.created ? 'newer than this voter\'s previous vote' : `superseded by the voter's newer vote ${latest.vote_cid}`)
  }
  return checks.report(`vote ${body.verdict > 0 ? '+1' : '−1'} on ${target} (${body.reason})`)
}

export function screenReproduction (artifact: StoredArtifact, library: Library): ScreenReport {
  const body = artifact.envelope.body as ReproductionBody
  const checks = new Checks()
  checks.add('n-eval', body.nEval <= 10_000_000, `nEval ${body.nEval}`)
  const t = library.get(body.target.toString())
  if (t != null) {
    checks.add('target-kind', t.kind === 'outcome', `target is ${t.kind === 'outcome' ? 'an outcome' : `a ${t.kind}, not an outcome`}`)
    checks.add('self-reproduction', t.author !== artifact.author, t.author === artifact.author ? 'the outcome\'s author cannot reproduce its own claim' : 'reproducer is not the outcome\'s author')
  }
  return checks.report(`reproduction of ${body.target.toString()}: measured Δ ${body.measuredDelta} on ${body.nEval} items`)
}

export function screenRevocation (artifact: StoredArtifact, library: Library): ScreenReport {
  const body = artifact.envelope.body as RevocationBody
  const checks = new Checks()
  injectionCheck(checks, [['reason', body.reason]], true)
  const t = library.get(body.target.toString())
  if (t != null) {
    checks.add('revoker-is-author', t.author === artifact.author,
      t.author === artifact.author ? 'signed by the target\'s author' : `signed by ${artifact.author}, but ${body.target.toString()} was authored by ${t.author}`)
  } else {
    checks.add('revoker-is-author', true, 'target not held yet: the revocation waits and is checked when the target arrives')
  }
  return checks.report(`revocation of ${body.target.toString()}: ${body.reason}`)
}
