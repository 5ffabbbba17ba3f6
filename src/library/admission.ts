/**
 * The door into the library: the contract every received artifact goes through, whether it came
 * from a peer or a CAR file: decode + verify (limits, canonical encoding, signature, CID) → refusals →
 * store as `quarantined` → screens, canary, votes → the decided status. The trust pipeline
 * (`createTrust(…).admission`) is its implementation; a mesh cannot be built without one, so
 * nothing a peer sends is trusted by default.
 */
import type { Kind, SignedArtifact } from '../artifacts/index.ts'
import type { Status } from './types.ts'

export type AdmissionSource =
  | { type: 'peer', peer: string }
  | { type: 'car', path: string }
  | { type: 'local' }

export interface AdmitOptions {
  source: AdmissionSource
  /** The CID the bytes were requested as; a mismatch is a CidMismatchError. */
  expectedCid?: string
  signal?: AbortSignal
  /** Throw `AdmissionRefusedError` instead of returning a refusal (for one-off imports). */
  throwOnRefusal?: boolean
}

export interface AdmitResult {
  cid: string
  kind: Kind
  status: Status
  /** False when nothing was stored: already held, or refused before storage. */
  inserted: boolean
  reason: string | null
  /** Set when the artifact was refused before storage (`rate-limit`, `deny-list`, `replay`, …). */
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
