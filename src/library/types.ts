/** The library: every artifact this node knows, with its trust status, plus adapter weight blobs. */
import type { Kind, SignedArtifact } from '../artifacts/index.ts'
import type { DatabaseSync } from 'node:sqlite'

export const STATUSES = ['quarantined', 'trusted', 'rejected', 'revoked'] as const
export type Status = (typeof STATUSES)[number]

export interface StoredArtifact extends SignedArtifact {
  kind: Kind
  author: string
  created: number
  domain: string | null
  status: Status
  /** Offered to peers by the sync protocol. */
  shareable: boolean
  sourcePeer: string | null
  received: number
  /** Why the status was last set (e.g. "screen: norm 812 > bound 40"). */
  reason: string | null
}

export interface PutOptions {
  status?: Status
  sourcePeer?: string
  shareable?: boolean
  reason?: string
}

export interface PutResult {
  /** False when the CID was already stored (idempotent put). */
  inserted: boolean
  cid: string
}

export interface ListQuery {
  kind?: Kind
  domain?: string
  author?: string
  status?: Status | Status[]
  shareable?: boolean
  limit?: number
}

export interface SyncKey {
  created: number
  cid: string
}

export interface BlobStore {
  readonly dir: string
  has(cid: string): boolean
  /** Stores bytes under their raw CID (atomic); returns the CID string. */
  put(bytes: Uint8Array): string
  /** Stores bytes only if they hash to `cid`; throws ChunkMismatchError otherwise. */
  putVerified(cid: string, bytes: Uint8Array): void
  /**
   * The same, with hashing and the disk write on a worker thread (for transfers).
   * `durable: false` skips the fsyncs: call `flush` before anything refers to the chunk.
   * `transfer: true` moves the bytes' buffer to the worker instead of copying it (the caller's
   * view is emptied), when they fill a buffer of their own; that buffer comes back once the chunk
   * is written (resolved, for reuse: a transfer receives its next chunk into it).
   */
  putVerifiedAsync(cid: string, bytes: Uint8Array, options?: { durable?: boolean, transfer?: boolean }): Promise<Uint8Array | undefined>
  /** Starts the worker thread `putVerifiedAsync` uses (a transfer calls it before its first chunk arrives). */
  warm(): void
  /** Makes stored chunks durable (fsync of each file and its directory). */
  flush(cids: string[]): Promise<void>
  /** True when the chunk is stored and hashes to its CID; a damaged file is removed. */
  verify(cid: string): Promise<boolean>
  get(cid: string): Uint8Array
  /**
   * The chunk read off the event loop (a Buffer, no extra copy); undefined when absent. With
   * `into`, read into that buffer when the chunk fits (a view of it is returned), so a server
   * reuses one buffer for chunk after chunk.
   */
  read(cid: string, into?: Uint8Array): Promise<Uint8Array | undefined>
  path(cid: string): string
  remove(cid: string): void
  size(cid: string): number
}

export interface Library {
  readonly db: DatabaseSync
  readonly blobs: BlobStore
  put(artifact: SignedArtifact, options?: PutOptions): PutResult
  /** Several artifacts in one transaction: all or nothing. */
  putMany(items: Array<{ artifact: SignedArtifact, options?: PutOptions }>): PutResult[]
  get(cid: string): StoredArtifact | undefined
  has(cid: string): boolean
  list(query?: ListQuery): StoredArtifact[]
  setStatus(cid: string, status: Status, reason?: string): void
  setShareable(cid: string, shareable: boolean): void
  remove(cid: string): void
  counts(): Record<Kind, number>
  /** Shareable artifact keys sorted by (created, cid), for set reconciliation. */
  syncKeys(): SyncKey[]
  /** True when `chunk` belongs to a trusted, shareable artifact (what the chunk server may serve). */
  sharesChunk(chunk: string): boolean
  /** Writes the adapter's weights from a file as chunks; returns chunk CIDs and total bytes. */
  putBlobFile(
    path: string, options?: { signal?: AbortSignal, onProgress?: (e: { done: number, total: number }) => void }
  ): Promise<{ chunks: string[], bytes: number }>
  /** Reassembles an adapter's chunks into one file (atomic). */
  writeBlobFile(chunks: string[], path: string): void
  /** Registers a listener for newly inserted artifacts (used by the mesh to announce). */
  onPut(listener: (artifact: StoredArtifact) => void): () => void
  close(): void
}

export interface LibraryInit {
  /** Directory holding `library.db` and `blobs/`; `:memory:` keeps the DB in memory (blobs in a temp dir). */
  home: string
}
