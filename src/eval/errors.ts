/** Errors of the recall evaluation (bad eval data → exit code 2). */
import { BaobabError } from '../errors/index.ts'

/** An eval data file (eval.jsonl, results.json, a training file) that cannot be used. */
export class InvalidEvalDataError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly file: string
  readonly line: number | undefined
  readonly reason: string
  constructor (file: string, reason: string, line?: number, options?: ErrorOptions) {
    super(`${file}${line != null ? ` line ${line}` : ''}: ${reason}`, options)
    this.file = file
    this.line = line
    this.reason = reason
  }
}

/** A recall-eval option that makes no sense (unknown set, runtime without a model, LoRA files that do not fit). */
export class InvalidEvalOptionError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly option: string
  constructor (option: string, reason: string, options?: ErrorOptions) {
    super(`${option}: ${reason}`, options)
    this.option = option
  }
}
