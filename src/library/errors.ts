/** Named library errors. Callers test `err.name`. */

export class LibraryError extends Error {
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'LibraryError'
  }
}

export class ArtifactNotFoundError extends LibraryError {
  readonly cid: string
  constructor (cid: string) {
    super(`no artifact ${cid} in the library`)
    this.name = 'ArtifactNotFoundError'
    this.cid = cid
  }
}

export class BlobNotFoundError extends LibraryError {
  readonly cid: string
  constructor (cid: string) {
    super(`no blob ${cid} in the blob store`)
    this.name = 'BlobNotFoundError'
    this.cid = cid
  }
}

export class MissingBlobError extends LibraryError {
  readonly cid: string
  readonly missing: string[]
  constructor (cid: string, missing: string[]) {
    super(`adapter ${cid} refers to ${missing.length} chunk(s) not in the blob store (first: ${missing[0]})`)
    this.name = 'MissingBlobError'
    this.cid = cid
    this.missing = missing
  }
}

export class ChunkMismatchError extends LibraryError {
  readonly expected: string
  readonly actual: string
  constructor (expected: string, actual: string) {
    super(`chunk hashes to ${actual}, expected ${expected}`)
    this.name = 'ChunkMismatchError'
    this.expected = expected
    this.actual = actual
  }
}

export class SchemaTooNewError extends LibraryError {
  readonly found: number
  readonly supported: number
  constructor (path: string, found: number, supported: number) {
    super(`library ${path} has schema version ${found}; this Baobab understands up to ${supported}. Upgrade Baobab.`)
    this.name = 'SchemaTooNewError'
    this.found = found
    this.supported = supported
  }
}

export class CorruptLibraryError extends LibraryError {
  readonly path: string
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(`library ${path} cannot be opened: ${reason}`, options)
    this.name = 'CorruptLibraryError'
    this.path = path
  }
}

export class StorageFullError extends LibraryError {
  constructor (what: string, options?: ErrorOptions) {
    super(`no space left while writing ${what}; nothing was stored`, options)
    this.name = 'StorageFullError'
  }
}

export class InvalidQueryError extends LibraryError {
  constructor (message: string) {
    super(message)
    this.name = 'InvalidQueryError'
  }
}

/** Maps low-level disk-full errors (ENOSPC, SQLITE_FULL) to StorageFullError. */
export function asStorageError (err: unknown, what: string): unknown {
  const e = err as { code?: string, errcode?: number, message?: string }
  if (e?.code === 'ENOSPC' || e?.errcode === 13 || /SQLITE_FULL|database or disk is full/i.test(e?.message ?? '')) {
    return new StorageFullError(what, { cause: err })
  }
  return err
}
