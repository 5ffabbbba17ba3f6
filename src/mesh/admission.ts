/**
 * The one door every received artifact goes through, whether it came from a peer or a CAR file:
 * decode + verify (limits, canonical encoding, signature, CID) → store as `quarantined` →
 * ask the policy → set the status it decides. The trust pipeline replaces the policy (or the
 * whole `Admission`) with screens, canaries and votes.
 */
import { decodeArtifact } from '../artifacts/index.ts'
import type { Kind, SignedArtifact } from '../artifacts/index.ts'
import type { Library, Status, StoredArtifact } from '../library/index.ts'

export type AdmissionSource =
  | { type: 'peer', peer: string }
  | { type: 'car', path: string }
  | { type: 'local' }

export interface AdmissionDecision {
  status: Exclude<Status, 'revoked'>
  reason?: string
  /** Offer it to peers (default: trusted and not an experience). */
  shareable?: boolean
}

export interface AdmissionContext {
  source: AdmissionSource
  library: Library
  signal?: AbortSignal
}

/** Decides what happens to a verified, stored (quarantined) artifact. */
export interface AdmissionPolicy {
  decide(artifact: StoredArtifact, context: AdmissionContext): Promise<AdmissionDecision> | AdmissionDecision
}

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

/** The default policy until the trust pipeline takes over: everything verified is trusted. */
export const trustVerified: AdmissionPolicy = {
  decide: () => ({ status: 'trusted', reason: 'verified (default policy)' })
}

export interface AdmissionInit {
  policy?: AdmissionPolicy
}

export interface AdmissionComponents {
  library: Library
}

class DefaultAdmission implements Admission {
  readonly events = new EventTarget()
  private readonly library: Library
  private readonly policy: AdmissionPolicy

  constructor (components: AdmissionComponents, init: AdmissionInit) {
    this.library = components.library
    this.policy = init.policy ?? trustVerified
  }

  async admit (bytes: Uint8Array, options: AdmitOptions): Promise<AdmitResult> {
    options.signal?.throwIfAborted()
    const artifact = await decodeArtifact(bytes, { expectedCid: options.expectedCid })
    return this.admitVerified(artifact, options)
  }

  async admitVerified (artifact: SignedArtifact, options: AdmitOptions): Promise<AdmitResult> {
    const cid = artifact.cid.toString()
    const kind = artifact.envelope.kind
    const existing = this.library.get(cid)
    if (existing != null) return { cid, kind, status: existing.status, inserted: false, reason: existing.reason }
    const sourcePeer = options.source.type === 'peer' ? options.source.peer : undefined
    const reason = options.source.type === 'car' ? `imported from ${options.source.path}` : undefined
    const put = this.library.put(artifact, { status: 'quarantined', shareable: false, sourcePeer, reason })
    if (!put.inserted) {
      const now = this.library.get(cid)
      return { cid, kind, status: now?.status ?? 'quarantined', inserted: false, reason: now?.reason ?? null }
    }
    const quarantined: AdmitResult = { cid, kind, status: 'quarantined', inserted: true, reason: reason ?? null }
    this.events.dispatchEvent(new CustomEvent('artifact:quarantined', { detail: quarantined }))
    const stored = this.library.get(cid) as StoredArtifact
    const decision = await this.policy.decide(stored, { source: options.source, library: this.library, signal: options.signal })
    if (decision.status !== 'quarantined') this.library.setStatus(cid, decision.status, decision.reason)
    const shareable = decision.shareable ?? (decision.status === 'trusted' && kind !== 'experience')
    if (shareable) this.library.setShareable(cid, true)
    const result: AdmitResult = { cid, kind, status: decision.status, inserted: true, reason: decision.reason ?? null }
    if (decision.status === 'trusted') this.events.dispatchEvent(new CustomEvent('artifact:admitted', { detail: result }))
    if (decision.status === 'rejected') this.events.dispatchEvent(new CustomEvent('artifact:rejected', { detail: result }))
    return result
  }
}

/** Builds the admission component; pass `policy` to replace the decision step. */
export function createAdmission (components: AdmissionComponents, init: AdmissionInit = {}): Admission {
  return new DefaultAdmission(components, init)
}
