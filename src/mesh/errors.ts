/** Named errors for the mesh: wire protocols, transfers, CAR files, network keys. Callers test `err.name`. */
import { BaobabError } from '../errors/index.ts'

export class MeshError extends BaobabError {}

/** A peer sent bytes that do not follow a Baobab wire protocol. The peer is disconnected. */
export class ProtocolViolationError extends MeshError {
  readonly protocol: string
  readonly peer: string | undefined
  constructor (protocol: string, reason: string, peer?: string, options?: ErrorOptions) {
    super(`${protocol}: ${reason}${peer != null ? ` (peer ${peer})` : ''}`, options)
    this.protocol = protocol
    this.peer = peer
  }
}

/** A reconciliation message could not be decoded (pure layer, no peer attached). */
export class InvalidSyncMessageError extends MeshError {
  static override readonly category = 'bad-input'
  readonly offset: number
  constructor (reason: string, offset: number) {
    super(`invalid sync message at byte ${offset}: ${reason}`)
    this.offset = offset
  }
}

/** Reconciliation did not converge within the allowed number of rounds. */
export class SyncRoundsExceededError extends MeshError {
  readonly rounds: number
  constructor (rounds: number) {
    super(`set reconciliation did not finish within ${rounds} rounds`)
    this.rounds = rounds
  }
}

/** A peer served bytes that do not hash to the requested CID. */
export class ChunkVerificationError extends MeshError {
  readonly cid: string
  readonly actual: string
  readonly peer: string | undefined
  constructor (cid: string, actual: string, peer?: string) {
    super(`chunk ${cid} failed verification: bytes hash to ${actual}${peer != null ? ` (served by ${peer})` : ''}`)
    this.cid = cid
    this.actual = actual
    this.peer = peer
  }
}

/** No reachable peer could serve the CID. */
export class FetchFailedError extends MeshError {
  static override readonly category = 'unavailable'
  readonly cid: string
  readonly attempts: string[]
  constructor (cid: string, attempts: string[], options?: ErrorOptions) {
    super(`could not fetch ${cid}${attempts.length > 0 ? `: ${attempts.join('; ')}` : ': no peer has it'}`, options)
    this.cid = cid
    this.attempts = attempts
  }
}

/** The remote answered a fetch request with a refusal (not found, busy, too large). */
export class FetchRefusedError extends MeshError {
  static override readonly category = 'bad-input'
  readonly cid: string
  readonly code: string
  constructor (cid: string, code: string) {
    super(`peer refused ${cid}: ${code}`)
    this.cid = cid
    this.code = code
  }
}

/** A CAR file holds a block that fails verification or cannot be read. */
export class InvalidCarError extends MeshError {
  static override readonly category = 'bad-input'
  readonly path: string
  readonly block: string | undefined
  readonly index: number
  constructor (path: string, index: number, block: string | undefined, reason: string, options?: ErrorOptions) {
    super(`${path}: block #${index}${block != null ? ` (${block})` : ''} ${reason}; nothing was imported`, options)
    this.path = path
    this.block = block
    this.index = index
  }
}

/** An adapter cannot be exported or admitted because some of its weight chunks are absent. */
export class MissingChunksError extends MeshError {
  static override readonly category = 'bad-input'
  readonly cid: string
  readonly missing: string[]
  constructor (cid: string, missing: string[]) {
    super(`adapter ${cid} is missing ${missing.length} weight chunk(s), first ${missing[0] ?? '?'}`)
    this.cid = cid
    this.missing = missing
  }
}

/** A private-network key file is unreadable or malformed. */
export class InvalidNetworkKeyError extends MeshError {
  static override readonly category = 'bad-input'
  readonly path: string
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(`network key ${path} is unusable: ${reason}`, options)
    this.path = path
  }
}

/** A multiaddr given by a user or config cannot be parsed or dialled. */
export class InvalidMultiaddrError extends MeshError {
  static override readonly category = 'bad-input'
  readonly address: string
  constructor (address: string, options?: ErrorOptions) {
    super(`"${address}" is not a usable multiaddr`, options)
    this.address = address
  }
}

/** Mesh configuration rejected at construction. */
export class InvalidMeshConfigError extends MeshError {
  static override readonly category = 'bad-input'
  readonly field: string
  constructor (field: string, reason: string) {
    super(`mesh config ${field}: ${reason}`)
    this.field = field
  }
}

/** The mesh was used before start() or after stop(). */
export class MeshNotStartedError extends MeshError {
  constructor () {
    super('the mesh is not started')
  }
}

/** A peer was reached but the handshake failed: a private network this node has no key for, or another key. */
export class HandshakeRefusedError extends MeshError {
  static override readonly category = 'bad-input'
  readonly peer: string | undefined
  constructor (reason: string, peer?: string, options?: ErrorOptions) {
    super(`${peer != null ? `peer ${peer} ` : ''}${reason}`, options)
    this.peer = peer
  }
}
