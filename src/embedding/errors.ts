/**
 * Named errors of the embedding folder. Callers test `err.name`; every class keeps `cause`.
 * Constructors take the structured fields first, then the message (`reason`), then `options`.
 */
import { BaobabError } from '../errors/index.ts'

export class InvalidEmbedderOptionsError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly option: string
  constructor (option: string, reason: string, options?: ErrorOptions) {
    super(reason, options)
    this.option = option
  }
}

/** An embedding backend failed or answered with something unusable. */
export class EmbeddingFailedError extends BaobabError {
  readonly embedderId: string
  readonly status: number | undefined
  constructor (embedderId: string, reason: string, status?: number, options?: ErrorOptions) {
    super(reason, options)
    this.embedderId = embedderId
    this.status = status
  }
}

/** A local embedding model directory that is missing or incomplete. */
export class EmbeddingModelNotFoundError extends BaobabError {
  static override readonly category = 'not-found'
  readonly path: string
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(reason, options)
    this.path = path
  }
}

/** `embedder import --expect <cid>`: the model's files hash to another manifest CID; nothing was stored. */
export class ModelCidMismatchError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly path: string
  readonly expected: string
  readonly actual: string
  constructor (path: string, expected: string, actual: string, options?: ErrorOptions) {
    super(`the model at ${path} hashes to ${actual}, expected ${expected}; nothing was stored`, options)
    this.path = path
    this.expected = expected
    this.actual = actual
  }
}

/** A file of an imported model no longer hashes to its CID in the model's manifest. */
export class ModelFileChangedError extends BaobabError {
  readonly path: string
  readonly expected: string
  readonly actual: string
  constructor (path: string, expected: string, actual: string, options?: ErrorOptions) {
    super(`imported model file ${path} was changed: it hashes to ${actual}, its manifest says ${expected}; import the model again`, options)
    this.path = path
    this.expected = expected
    this.actual = actual
  }
}
