/**
 * Evaluation: measurements over the same parts a node runs, behind the `baobab eval` and
 * `baobab learn eval` commands and the checks a node runs on what peers send.
 *
 * - Router (`evaluateRouter`, `renderMarkdown`): accuracy per split and domain, paraphrases and
 *   out-of-domain abstention at one self-calibrated setting, beside a plain TF-IDF baseline
 *   (`tfidfRouter`); the labelled-question files it reads (`loadParaphrases`).
 * - Keyword recall (`runRecallEval`, `renderRecallMarkdown`): gossip-handshake recall measured end
 *   to end through a node's answer path, for routed experts, one pooled expert and no expert (and,
 *   with the llama runtime, routed LoRAs vs one ΔW-merged LoRA), beside upstream's reference
 *   numbers. It builds nodes with the factory it is given (`makeNode`: `createNode`).
 * - Learning (`evaluateLearning`): held-out reward with and without learned experiences, paired by
 *   seed; `experienceAbCheck` runs it on one candidate experience as trust's experience check.
 * - Eval-result files (`baobab-eval-result/1`): what a recall run writes (`recallOutcomeFile`)
 *   and what `baobab outcome from-eval` reads into an outcome packet (`readEvalResult`).
 *
 * @example
 * ```ts
 * const r = await runRecallEval({ dataDir: '../shared/data/gossip-handshake', makeNode: createNode })
 * if ('skipped' in r) console.log(r.skipped)
 * else console.log(renderRecallMarkdown(r))
 * const router = await evaluateRouter({ paraphrases: 'test/fixtures/paraphrases.jsonl', routerDev: 'test/fixtures/router-dev' })
 * console.log(renderMarkdown(router))
 * ```
 */
export { evaluateRouter } from './router/run.ts'
export type { EvalPaths, RouterEvalReport, LibraryResult, SplitResult } from './router/run.ts'
export { renderMarkdown } from './router/report.ts'
export type { LabeledQuestion, DecisionTally, SweepPoint } from './router/tally.ts'
export { loadParaphrases } from './router/data.ts'
export type { FixtureQuestion, GossipEvalQuestion, SplitQuestion } from './router/data.ts'
export { tfidfRouter } from './router/tfidf-baseline.ts'
export type { TfidfDecision } from './router/tfidf-baseline.ts'
export { runRecallEval, resolveModel } from './recall/harness.ts'
export { renderRecallMarkdown } from './recall/render.ts'
export { RECALL_BENCHMARK, RECALL_TASK, recallFamily, recallOutcomeFile } from './recall/outcome.ts'
export type { RecallOutcomeFile } from './recall/outcome.ts'
export { loadRecallData, missingDataReason } from './recall/data.ts'
export type { RecallData, RecallQuestion, RecallSet } from './recall/data.ts'
export type { ReferenceRow, ReferenceTable } from './recall/reference.ts'
export type { ConditionId, ConditionLibrary } from './recall/conditions.ts'
export type {
  RecallEvalOptions, RecallEvalResult, RecallReport, SetReport, ConditionReport, RecallItem, RecallProgress, RecallNode, MakeRecallNode
} from './recall/types.ts'
export { evaluateLearning } from './learn-eval.ts'
export type { EvalOptions, EvalReport, Spread } from './learn-eval.ts'
export { experienceAbCheck } from './experience-check.ts'
export type { ExperienceCheckInit } from './experience-check.ts'
export { readEvalResult } from './eval-result.ts'
export type { EvalResult } from './eval-result.ts'
export { InvalidEvalDataError, InvalidEvalOptionError } from './errors.ts'
