/**
 * The recall evaluation behind `baobab eval recall`: gossip-handshake keyword recall measured end
 * to end through a node's answer path, for routed experts, one pooled expert and no expert (and,
 * with the llama runtime, routed LoRAs vs one ΔW-merged LoRA), beside upstream's reference
 * numbers.
 *
 * @example
 * ```ts
 * const r = await runRecallEval({ dataDir: '../shared/data/gossip-handshake' })
 * if ('skipped' in r) console.log(r.skipped)
 * else console.log(renderRecallMarkdown(r))
 * ```
 */
export { runRecallEval, resolveModel, RECALL_FORMAT } from './harness.ts'
export { renderRecallMarkdown } from './render.ts'
export { RECALL_BENCHMARK, RECALL_TASK, recallFamily, recallOutcomeFile } from './outcome.ts'
export type { RecallOutcomeFile } from './outcome.ts'
export { keywordRecall, summariseRecall } from './metric.ts'
export type { KeywordScore, RecallSummary } from './metric.ts'
export { loadRecallData, parseRecallQuestions, missingDataReason, verbatimCount } from './data.ts'
export type { RecallData, RecallQuestion, RecallSet } from './data.ts'
export { referenceTable } from './reference.ts'
export type { ReferenceRow, ReferenceTable } from './reference.ts'
export { CONDITIONS, CONDITION_LABELS, interleave, splitParts } from './conditions.ts'
export type { ConditionId, ConditionLibrary } from './conditions.ts'
export { InvalidEvalDataError, InvalidEvalOptionError } from './errors.ts'
export type {
  RecallEvalOptions, RecallEvalResult, RecallReport, SetReport, ConditionReport, RecallItem, RecallProgress
} from './types.ts'
