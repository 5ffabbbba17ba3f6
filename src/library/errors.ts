/** Named library errors. Callers test `err.name`. */
import { BaobabError } from '../errors/index.ts'
import type { ErrorCategory } from '../errors/index.ts'

export class LibraryError extends BaobabError {
  static override readonly category: ErrorCategory = 'bad-input'
}

export class ArtifactNotFoundError extends LibraryError {
  static override readonly category = 'not-found'
  readonly cid: string
  constructor (cid: string) {
    super(`no artifact ${cid} in the library`)
    this.cid = cid
  }
}

export class BlobNotFoundError extends LibraryError {
  static override readonly category = 'not-found'
  readonly cid: string
  constructor (cid: string) {
    super(`no blob ${cid} in the blob store`)
    this.cid = cid
  }
}

export class MissingBlobError extends LibraryError {
  readonly cid: string
  readonly missing: string[]
  constructor (cid: string, missing: string[]) {
    super(`adapter ${cid} refers to ${missing.length} chunk(s) not in the blob store (first: ${missing[0]})`)
    this.cid = cid
    this.missing = missing
  }
}

export class ChunkMismatchError extends LibraryError {
  readonly expected: string
  readonly actual: string
  constructor (expected: string, actual: string) {
    super(`chunk hashes to ${actual}, expected ${expected}`)
    this.expected = expected
    this.actual = actual
  }
}

export class SchemaTooNewError extends LibraryError {
  readonly found: number
  readonly supported: number
  constructor (path: string, found: number, supported: number) {
    super(`library ${path} has schema version ${found}; this Baobab understands up to ${supported}. Upgrade Baobab.`)
    this.found = found
    this.supported = supported
  }
}

export class CorruptLibraryError extends LibraryError {
  readonly path: string
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(`library ${path} cannot be opened: ${reason}`, options)
    this.path = path
  }
}

export class StorageFullError extends LibraryError {
  static override readonly category = 'internal'
  constructor (what: string, options?: ErrorOptions) {
    super(`no space left while writing ${what}; nothing was stored`, options)
  }
}

export class InvalidQueryError extends LibraryError {}

/** Maps low-level disk-full errors (ENOSPC, SQLITE_FULL) to StorageFullError. */
export function asStorageError (err: unknown, what: string): unknown {
  const e = err as { code?: string, errcode?: number, message?: string }
  if (e?.code === 'ENOSPC' || e?.errcode === 13 || /SQLITE_FULL|database or disk is full/i.test(e?.message ?? '')) {
    return new StorageFullError(what, { cause: err })
  }
  return err
}
