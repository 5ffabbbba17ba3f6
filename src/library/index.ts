/**
 * Library: the node's SQLite store of artifacts (with trust status), its blob store, and the
 * admission contract every received artifact enters it through (implemented by the trust layer).
 *
 * @example
 * ```ts
 * const lib = openLibrary({ home: '/home/me/.baobab' })
 * lib.put(artifact, { status: 'quarantined', sourcePeer })
 * for (const a of lib.list({ kind: 'adapter', status: 'trusted' })) console.log(a.cid)
 * ```
 */
import { SqliteLibrary } from './sqlite-library.ts'
import type { Library, LibraryInit } from './types.ts'

export function openLibrary (init: LibraryInit): Library {
  return new SqliteLibrary(init)
}

export { STATUSES } from './types.ts'
export type { BlobStore, Library, LibraryInit, ListQuery, PutOptions, PutResult, Status, StoredArtifact, SyncKey } from './types.ts'
export type { Admission, AdmissionEvents, AdmissionSource, AdmitOptions, AdmitResult } from './admission.ts'
export {
  ArtifactNotFoundError, BlobNotFoundError, ChunkMismatchError, CorruptLibraryError, InvalidQueryError,
  LibraryError, MissingBlobError, SchemaTooNewError, StorageFullError
} from './errors.ts'
