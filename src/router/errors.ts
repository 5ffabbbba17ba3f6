/**
 * Named errors of the router folder. Callers test `err.name`; every class keeps `cause`.
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
  constructor (message: string, fields: { length: number }, options?: ErrorOptions) {
    super(message, options)
    this.length = fields.length
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
  constructor (message: string, fields: { file?: string, problems: ExemplarLineProblem[] }, options?: ErrorOptions) {
    super(message, options)
    this.file = fields.file
    this.problems = fields.problems
  }
}

/** An expert definition the router cannot index (no exemplars, duplicate id, bad fields). */
export class InvalidExpertError extends RouterError {
  readonly expertId: string
  constructor (message: string, fields: { expertId: string }, options?: ErrorOptions) {
    super(message, options)
    this.expertId = fields.expertId
  }
}

export class ExpertNotFoundError extends RouterError {
  static override readonly category = 'not-found'
  readonly expertId: string
  constructor (message: string, fields: { expertId: string }, options?: ErrorOptions) {
    super(message, options)
    this.expertId = fields.expertId
  }
}

/** Vectors of different lengths met (e.g. the embedder changed under a stored index). */
export class DimensionMismatchError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly expected: number
  readonly actual: number
  constructor (message: string, fields: { expected: number, actual: number }, options?: ErrorOptions) {
    super(message, options)
    this.expected = fields.expected
    this.actual = fields.actual
  }
}

/** A questions file (JSONL with a "question" per line) with bad lines, each listed with its number. */
export class InvalidQuestionsFileError extends RouterError {
  readonly file: string
  readonly problems: ExemplarLineProblem[]
  constructor (message: string, fields: { file: string, problems: ExemplarLineProblem[] }, options?: ErrorOptions) {
    super(message, options)
    this.file = fields.file
    this.problems = fields.problems
  }
}
