/**
 * Outcomes (QIS): ≤ 512-byte signed packets saying what a fine-tune achieved, routed through the
 * DHT by exact and near (LSH) fingerprints, synthesised locally into recommendations, and checked
 * by reproductions that move packet weight and author reputation.
 *
 * @example
 * ```ts
 * // in the node factory: kadDHT({ ...outcomeKadDhtInit({ lan: true }) })
 * const outcomes = createOutcomeService({ library, privateKey, embedder, dht: node.services.dht, fetchPacket })
 * outcomes.start()
 * const { cid, bytes } = await outcomes.publish({ family: 'qwen2.5-0.5b', task: 'clinical note summarisation',
 *   tags: ['medical'], benchmark: 'rouge-l', baseline: 0.31, score: 0.37, method: 'LoRA',
 *   params: { r: 16, lr: 2e-4 }, nEval: 500, confidence: 0.9, dataScale: 'm' })
 * const rec = await outcomes.recommend({ family: 'qwen2.5-0.5b', task: "summarising doctor's notes", tags: ['medical'] })
 * ```
 */
export { createOutcomeService, OutcomeService } from './outcome-service.ts'
export type { OutcomeServiceInit } from './outcome-service.ts'
export type { PublishOptions, PublishResult, RecommendOptions, RecommendResult, ReproduceResult } from './service-types.ts'
export type { FetchPacket, OutcomeMatch, OutcomeProgress, QueryOptions, QueryProblem, QueryResult } from './outcome-query.ts'
export type { BuildOptions, BuiltPacket, DataScale, OutcomeInput } from './packet.ts'
export { measuredConfidence } from './confidence.ts'
export { exactKey } from './fingerprint.ts'
export type { LshOptions, NearSignature, OutcomeContext } from './fingerprint.ts'
export { encodeRecord, signEntry } from './record.ts'
export type { OutcomeRecord, RecordEntry } from './record.ts'
export { outcomeKadDhtInit } from './dht-config.ts'
export { OutcomeRecordStore } from './record-store.ts'
export type { OutcomeKadOptions } from './dht-config.ts'
export { OutcomeDht } from './outcome-dht.ts'
export type { DhtOptions, OutcomeDhtInit, OutcomeDhtService, Reach, RecordRead, RecordWrite } from './outcome-dht.ts'
export type { SettingExplanation } from './explain.ts'
export type { NetworkLink, NetworkReport } from './dht-publisher.ts'
export type { Recommendation } from './synthesis.ts'
export { reproductionStrength, reproductionVerdict } from './reproduction.ts'
export type { ReproductionTally, Verdict } from './reproduction.ts'
export { DHT_SETTINGS } from './constants.ts'
export {
  DeltaMismatchError, DhtUnavailableError, ForeignPacketError, InvalidEvalResultError, InvalidOutcomeError,
  InvalidOutcomeQueryError, InvalidOutcomeRecordError, OutcomeError, OutcomeNotFoundError, OutcomePacketTooLargeError,
  RecordSignatureError
} from './errors.ts'
