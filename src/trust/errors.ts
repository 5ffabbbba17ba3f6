/** Named errors for the trust pipeline. Callers test `err.name`. */
import { BaobabError } from '../errors/index.ts'

export class TrustError extends BaobabError {}

/**
 * An artifact was refused before it was stored: deny-listed author or source, a replay of a
 * revoked, purged or superseded artifact, an incompatible base model, a clock far in the future,
 * or a peer over its rate limit. Nothing was written to the library.
 */
export class AdmissionRefusedError extends TrustError {
  static override readonly category = 'bad-input'
  readonly cid: string | undefined
  readonly stage: string
  readonly reason: string
  constructor (stage: string, reason: string, cid?: string, options?: ErrorOptions) {
    super(`refused${cid != null ? ` ${cid}` : ''} at ${stage}: ${reason}`, options)
    this.cid = cid
    this.stage = stage
    this.reason = reason
  }
}

/**
 * A peer went over one of its per-peer limits (announcements, admissions). The peer's fault, not
 * a caller's: unavailable for now, retryable, never an HTTP 429.
 */
export class PeerRateLimitedError extends TrustError {
  static override readonly category = 'unavailable'
  readonly peer: string
  readonly action: string
  readonly retryAfterMs: number
  constructor (peer: string, action: string, retryAfterMs: number) {
    super(`peer ${peer} is over its ${action} limit; retry in ${Math.ceil(retryAfterMs)} ms`)
    this.peer = peer
    this.action = action
    this.retryAfterMs = retryAfterMs
  }
}

/** Only the author of an artifact may revoke it: this node did not author it. */
export class RevocationRefusedError extends TrustError {
  static override readonly category = 'bad-input'
  readonly cid: string
  readonly author: string
  readonly caller: string
  constructor (cid: string, author: string, caller: string) {
    super(`${cid} was authored by ${author}; only its author can revoke it (this node is ${caller})`)
    this.cid = cid
    this.author = author
    this.caller = caller
  }
}

/** A person asked for a status change the artifact's current status does not allow (e.g. approving a revoked one). */
export class InvalidTransitionError extends TrustError {
  static override readonly category = 'conflict'
  readonly cid: string
  readonly status: string
  constructor (cid: string, status: string, wanted: string) {
    super(`${cid} is ${status}; it cannot be ${wanted}`)
    this.cid = cid
    this.status = status
  }
}

/** A peer id given by a user or config is not a valid libp2p peer id. */
export class InvalidPeerIdError extends TrustError {
  static override readonly category = 'bad-input'
  readonly peer: string
  constructor (peer: string, options?: ErrorOptions) {
    super(`"${peer}" is not a valid peer id`, options)
    this.peer = peer
  }
}

/** Trust options rejected at construction. */
export class InvalidTrustConfigError extends TrustError {
  static override readonly category = 'bad-input'
  readonly field: string
  constructor (field: string, reason: string) {
    super(`trust config ${field}: ${reason}`)
    this.field = field
  }
}

/** The canary could not run the adapter at all (runtime refused it, or the model failed). */
export class CanaryFailedError extends TrustError {
  readonly cid: string | undefined
  constructor (reason: string, cid?: string, options?: ErrorOptions) {
    super(`canary could not run${cid != null ? ` for ${cid}` : ''}: ${reason}`, options)
    this.cid = cid
  }
}
