/**
 * Trust: Baobab admits nothing it has not verified itself. Every artifact from a peer or a CAR
 * file goes through one pipeline — decode + limits → signature → CID → refusals before storage
 * (rate limit, deny list, replay, clock, base compatibility) → stored `quarantined` → kind
 * screens → canary on the local model → this node's signed vote → policy decision (`open`,
 * `community`, `strict`), every rejection with its reason. Reputation is earned only by
 * agreeing with this node's own checks; it weighs peers' votes (sybils weigh nothing), feeds
 * gossipsub peer scoring, and per-peer token buckets stop floods. Authors revoke their own
 * artifacts everywhere; a deny-listed author is purged.
 *
 * @example
 * ```ts
 * const trust = createTrust({ library, privateKey, canary: modelCanary(llamaRuntime({ modelPath })) },
 *   { policy: config.policy, base: { family: 'llama' } })
 * const scoring = trust.gossip([announceTopic(config.network)])     // gossipsub scoreParams/thresholds
 * const mesh = createMesh({ privateKey, library, admission: trust.admission }, meshInitFromConfig(config))
 * await trust.recover()                                              // finish admissions cut short by a crash
 * const r = await trust.admission.admit(bytes, { source: { type: 'peer', peer } })
 * console.log(r.status, r.reason)                                    // e.g. rejected: screen: attn_q: spectral norm 812 > bound 100
 * ```
 */
export { Trust, createTrust } from './trust.ts'
export type { QuarantineEntry, TrustComponents, TrustInit, TrustStatus } from './trust.ts'
export type { RefusalRecord } from './pipeline.ts'
export type { AdmissionSource, AdmitOptions, AdmitResult } from '../library/index.ts'
export type { ListResult, RevokeResult } from './actions.ts'
export type { RemoveResult } from './user-remove.ts'
export type { ExperienceCheck, OutcomeReproducer } from './context.ts'
export type { PolicyPreset } from './policy.ts'
export { modelCanary } from './canary.ts'
export type { DecisionRecord, HeldVote } from './journal.ts'
export type { LocalCheck, LocalCheckName, LocalChecks } from './local-checks.ts'
export type { AdapterCanary, CanaryMetrics, CanaryReport, ModelCanaryInit } from './canary.ts'
export type { PeerReport } from './peer-report.ts'
export type { GossipGuard, GossipGuardStats, ValidatorHost } from './gossip-guard.ts'
export type { GossipScoring, TopicLimits } from './gossip-score.ts'
export { fmt } from './screen-report.ts'
export type { Check, ScreenReport, ScreenVerdict } from './screen-report.ts'
export type { BucketSpec, RateAction } from './constants.ts'
export {
  AdmissionRefusedError, CanaryFailedError, InvalidPeerIdError, InvalidTrustConfigError, RevocationRefusedError, InvalidTransitionError,
  PeerRateLimitedError, TrustError
} from './errors.ts'
