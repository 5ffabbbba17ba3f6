/** Named errors for artifact decoding, validation and signing. Callers test `err.name`. */
import { BaobabError } from '../errors/index.ts'
import type { ErrorCategory } from '../errors/index.ts'

export class ArtifactError extends BaobabError {
  static override readonly category: ErrorCategory = 'bad-input'
}

export class MalformedArtifactError extends ArtifactError {}

export class UnsupportedVersionError extends ArtifactError {
  readonly version: unknown
  constructor (version: unknown) {
    super(`unsupported artifact version ${JSON.stringify(version)} (this node speaks v1)`)
    this.version = version
  }
}

export class UnknownKindError extends ArtifactError {
  readonly kind: unknown
  constructor (kind: unknown) {
    super(`unknown artifact kind ${JSON.stringify(kind)}`)
    this.kind = kind
  }
}

export class MissingFieldError extends ArtifactError {
  readonly field: string
  constructor (field: string) {
    super(`missing field "${field}"`)
    this.field = field
  }
}

export class UnexpectedFieldError extends ArtifactError {
  readonly field: string
  constructor (field: string) {
    super(`unexpected field "${field}"`)
    this.field = field
  }
}

export class FieldTypeError extends ArtifactError {
  readonly field: string
  constructor (field: string, expected: string) {
    super(`field "${field}" must be ${expected}`)
    this.field = field
  }
}

export class NonCanonicalEncodingError extends ArtifactError {
  constructor () {
    super('artifact bytes are not canonical DAG-CBOR (re-encoding gives different bytes)')
  }
}

export class OversizeArtifactError extends ArtifactError {
  readonly size: number
  readonly limit: number
  constructor (kind: string, size: number, limit: number) {
    super(`${kind} artifact is ${size} bytes; the limit is ${limit}`)
    this.size = size
    this.limit = limit
  }
}

export class InvalidSignatureError extends ArtifactError {
  readonly author: string
  constructor (author: string, options?: ErrorOptions) {
    super(`signature does not verify for author ${author}`, options)
    this.author = author
  }
}

export class CidMismatchError extends ArtifactError {
  readonly expected: string
  readonly actual: string
  constructor (expected: string, actual: string) {
    super(`content hashes to ${actual}, expected ${expected}`)
    this.expected = expected
    this.actual = actual
  }
}

export class InvalidKeyFileError extends ArtifactError {
  readonly path: string
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(`node key file ${path} is unusable: ${reason}`, options)
    this.path = path
  }
}
