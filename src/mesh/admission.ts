/**
 * The shape of the one door every received artifact goes through, whether it came from a peer
 * or a CAR file: decode + verify (limits, canonical encoding, signature, CID) → refusals →
 * store as `quarantined` → screens, canary, votes → the decided status. The trust pipeline
 * (`createTrust(…).admission`) is its implementation; a mesh cannot be built without one, so
 * nothing a peer sends is trusted by default.
 */
import type { Kind, SignedArtifact } from '../artifacts/index.ts'
import type { Status } from '../library/index.ts'

export type AdmissionSource =
  | { type: 'peer', peer: string }
  | { type: 'car', path: string }
  | { type: 'local' }

export interface AdmitOptions {
  source: AdmissionSource
  /** The CID the bytes were requested as; a mismatch is a CidMismatchError. */
  expectedCid?: string
  signal?: AbortSignal
}

export interface AdmitResult {
  cid: string
  kind: Kind
  status: Status
  /** False when the artifact was already in the library (nothing decided again). */
  inserted: boolean
  reason: string | null
  /** Set when the artifact was refused before storage (`deny-list`, `rate-limit`, …). */
  refused?: string
}

export interface AdmissionEvents {
  'artifact:quarantined': CustomEvent<AdmitResult>
  'artifact:admitted': CustomEvent<AdmitResult>
  'artifact:rejected': CustomEvent<AdmitResult>
}

/** What the mesh and the CAR importer call. */
export interface Admission {
  admit(bytes: Uint8Array, options: AdmitOptions): Promise<AdmitResult>
  /** Admits an artifact already decoded and verified by `decodeArtifact`. */
  admitVerified(artifact: SignedArtifact, options: AdmitOptions): Promise<AdmitResult>
  readonly events: EventTarget
}
