/** Named errors of the learning component. Callers test `err.name`; the CLI maps their categories to exit codes. */
import { BaobabError } from '../errors/index.ts'
import type { ErrorCategory } from '../errors/index.ts'

export class LearnError extends BaobabError {
  static override readonly category: ErrorCategory = 'bad-input'
}

/** Experience text or fields that break the rules (length, words, domain, tags, confidence). */
export class InvalidExperienceError extends LearnError {
  readonly field: string
  constructor (field: string, reason: string, options?: ErrorOptions) {
    super(`invalid experience ${field}: ${reason}`, options)
    this.field = field
  }
}

export class ExperienceNotFoundError extends LearnError {
  static override readonly category = 'not-found'
  readonly cid: string
  constructor (cid: string, detail = 'no experience with this CID in the library') {
    super(`${cid}: ${detail}`)
    this.cid = cid
  }
}

/** A task file with bad lines; `lines` lists each bad line number (1-based) with its reason. */
export class TaskFormatError extends LearnError {
  readonly path: string
  readonly lines: Array<{ line: number, reason: string }>
  constructor (path: string, lines: Array<{ line: number, reason: string }>, options?: ErrorOptions) {
    const shown = lines.slice(0, 5).map(l => `line ${l.line}: ${l.reason}`).join('; ')
    super(`${path}: ${lines.length} bad line(s): ${shown}${lines.length > 5 ? '; …' : ''}`, options)
    this.path = path
    this.lines = lines
  }
}

/** A grader name that is not built in and not a loadable module exporting a function. */
export class InvalidGraderError extends LearnError {
  readonly grader: string
  constructor (grader: string, reason: string, options?: ErrorOptions) {
    super(`grader "${grader}": ${reason}`, options)
    this.grader = grader
  }
}

/** A grader call that threw, returned a non-number, or did not answer in time. */
export class GraderFailedError extends LearnError {
  static override readonly category = 'internal'
  readonly grader: string
  readonly taskId: string
  readonly timedOut: boolean
  constructor (grader: string, taskId: string, reason: string, timedOut: boolean, options?: ErrorOptions) {
    super(`grader "${grader}" failed on task ${taskId}: ${reason}`, options)
    this.grader = grader
    this.taskId = taskId
    this.timedOut = timedOut
  }
}

/** Stage-2 output that is not a valid list of at most N library operations. */
export class MalformedOpsError extends LearnError {
  readonly output: string
  constructor (reason: string, output: string, options?: ErrorOptions) {
    super(`malformed operations: ${reason}`, options)
    this.output = output.slice(0, 500)
  }
}

/** Options for learn/eval/retrieval/voting that make no sense (negative group size, …). */
export class InvalidLearnOptionsError extends LearnError {
  readonly option: string
  constructor (option: string, reason: string) {
    super(`invalid option ${option}: ${reason}`)
    this.option = option
  }
}

/** A prompt template file that is missing or lacks its version header. */
export class TemplateError extends LearnError {
  static override readonly category = 'internal'
  readonly template: string
  constructor (template: string, reason: string, options?: ErrorOptions) {
    super(`prompt template ${template}: ${reason}`, options)
    this.template = template
  }
}
