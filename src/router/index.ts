/**
 * Knowledge routing: pick the expert (adapter or knowledge card) whose exemplars best match a
 * question, or abstain when none covers it.
 *
 * - `Router`: exemplar index (kNN), automatic calibration by leave-one-out, decisions with reasons
 *   and deciding exemplars, feedback, incremental add/remove, persistence in the library database.
 * - `parseExemplars()`: reads JSONL exemplar files (`instruction`/`output` or `q`/`a`).
 *
 * @example
 * ```ts
 * import { Router } from './router/index.ts'
 * const router = new Router({ db: library.db })
 * await router.setExperts([{ id: 'vet', name: 'vet-helper', domain: 'veterinary', exemplars }])
 * const decision = await router.route('My goats are coughing, what should I do?')
 * if (decision.abstained) console.log(decision.reason)
 * else console.log(decision.choice.name, decision.scores)
 * ```
 */
export { Router } from './router.ts'
export type { RouterInit, RouteOptions, FeedbackInput } from './router-init.ts'
export { parseExemplars, readExemplarsFile, MAX_EXEMPLARS } from './exemplars.ts'
export { parseQuestions } from './questions.ts'
export type { ParsedExemplars } from './exemplars.ts'
export type { CalibrationOptions } from './calibrate.ts'
export type { ScoringOptions } from './expert-index.ts'
export type {
  Exemplar, ExpertInput, ExpertScore, ScoredExemplar, RouteDecision, RouteReasonCode, Calibration
} from './types.ts'
export {
  InvalidQuestionError, InvalidExemplarsError, InvalidExpertError, ExpertNotFoundError,
  DimensionMismatchError, InvalidQuestionsFileError
} from './errors.ts'
export type { ExemplarLineProblem } from './errors.ts'
