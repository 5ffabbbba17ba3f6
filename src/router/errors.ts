/**
 * Named errors of the router folder. Callers test `err.name`; every class keeps `cause`.
 * Constructors take the structured fields first, then the message (`reason`), then `options`.
 */
import { BaobabError } from '../errors/index.ts'
import type { ErrorCategory } from '../errors/index.ts'

/** Base of the routing errors; most are bad input (a question, an exemplars file, an expert). */
export class RouterError extends BaobabError {
  static override readonly category: ErrorCategory = 'bad-input'
}

/** A question that is empty, not a string, or too long to route. */
export class InvalidQuestionError extends RouterError {
  readonly length: number
  constructor (length: number, reason: string, options?: ErrorOptions) {
    super(reason, options)
    this.length = length
  }
}

/** One bad line in an exemplars file. */
export interface ExemplarLineProblem {
  line: number
  message: string
}

/** An exemplars file (JSONL) with bad lines; `problems` lists every one with its line number. */
export class InvalidExemplarsError extends RouterError {
  readonly file: string | undefined
  readonly problems: ExemplarLineProblem[]
  constructor (file: string | undefined, problems: ExemplarLineProblem[], reason: string, options?: ErrorOptions) {
    super(reason, options)
    this.file = file
    this.problems = problems
  }
}

/** An expert definition the router cannot index (no exemplars, duplicate id, bad fields). */
export class InvalidExpertError extends RouterError {
  readonly expertId: string
  constructor (expertId: string, reason: string, options?: ErrorOptions) {
    super(reason, options)
    this.expertId = expertId
  }
}

export class ExpertNotFoundError extends RouterError {
  static override readonly category = 'not-found'
  readonly expertId: string
  constructor (expertId: string, reason: string, options?: ErrorOptions) {
    super(reason, options)
    this.expertId = expertId
  }
}

/** Vectors of different lengths met (e.g. the embedder changed under a stored index). */
export class DimensionMismatchError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly expected: number
  readonly actual: number
  constructor (expected: number, actual: number, options?: ErrorOptions) {
    super(`embedding has ${actual} dims, index has ${expected}`, options)
    this.expected = expected
    this.actual = actual
  }
}

/** A questions file (JSONL with a "question" per line) with bad lines, each listed with its number. */
export class InvalidQuestionsFileError extends RouterError {
  readonly file: string
  readonly problems: ExemplarLineProblem[]
  constructor (file: string, problems: ExemplarLineProblem[], reason: string, options?: ErrorOptions) {
    super(reason, options)
    this.file = file
    this.problems = problems
  }
}
