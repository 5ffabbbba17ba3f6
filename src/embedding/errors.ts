/**
 * Named errors of the embedding folder. Callers test `err.name`; every class keeps `cause`.
 */
import { BaobabError } from '../errors/index.ts'

export class InvalidEmbedderOptionsError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly option: string
  constructor (message: string, fields: { option: string }, options?: ErrorOptions) {
    super(message, options)
    this.option = fields.option
  }
}

/** An embedding backend failed or answered with something unusable. */
export class EmbeddingFailedError extends BaobabError {
  readonly embedderId: string
  readonly status: number | undefined
  constructor (message: string, fields: { embedderId: string, status?: number }, options?: ErrorOptions) {
    super(message, options)
    this.embedderId = fields.embedderId
    this.status = fields.status
  }
}

/** A local embedding model directory that is missing or incomplete. */
export class EmbeddingModelNotFoundError extends BaobabError {
  static override readonly category = 'not-found'
  readonly path: string
  constructor (message: string, fields: { path: string }, options?: ErrorOptions) {
    super(message, options)
    this.path = fields.path
  }
}
