/** Named errors for outcome packets, fingerprints, DHT records and synthesis. Callers test `err.name`. */
import { BaobabError } from '../errors/index.ts'
import type { ErrorCategory } from '../errors/index.ts'

export class OutcomeError extends BaobabError {
  static override readonly category: ErrorCategory = 'bad-input'
}

/** A packet field is missing, of the wrong type, not finite or out of range. */
export class InvalidOutcomeError extends OutcomeError {
  readonly field: string
  readonly value: unknown
  constructor (field: string, reason: string, value?: unknown, options?: ErrorOptions) {
    super(`outcome field "${field}" ${reason}${value !== undefined ? ` (got ${describe(value)})` : ''}`, options)
    this.field = field
    this.value = value
  }
}

/** The given delta is not score − baseline. */
export class DeltaMismatchError extends OutcomeError {
  readonly delta: number
  readonly expected: number
  constructor (delta: number, baseline: number, score: number) {
    super(`delta ${delta} is inconsistent with score ${score} − baseline ${baseline} = ${score - baseline}`)
    this.delta = delta
    this.expected = score - baseline
  }
}

/** The packet cannot be made to fit the 512-byte limit without losing required content. */
export class OutcomePacketTooLargeError extends OutcomeError {
  readonly size: number
  readonly limit: number
  /** What was already dropped (or would be dropped when shortening is off). */
  readonly dropped: string[]
  constructor (size: number, limit: number, dropped: string[], hint: string) {
    super(`outcome packet is ${size} bytes; the limit is ${limit}. ${hint}`)
    this.size = size
    this.limit = limit
    this.dropped = dropped
  }
}

/** An eval-result file is unreadable or lacks fields a packet needs. */
export class InvalidEvalResultError extends OutcomeError {
  readonly path: string
  readonly field: string | undefined
  constructor (path: string, reason: string, field?: string, options?: ErrorOptions) {
    super(`eval result ${path}: ${reason}`, options)
    this.path = path
    this.field = field
  }
}

/** A DHT record value does not decode or breaks the record rules (size, counts, order, key). */
export class InvalidOutcomeRecordError extends OutcomeError {
  readonly key: string
  constructor (key: string, reason: string, options?: ErrorOptions) {
    super(`outcome record ${key}: ${reason}`, options)
    this.key = key
  }
}

/** A DHT record entry's signature does not verify for its author. */
export class RecordSignatureError extends OutcomeError {
  static override readonly category = 'internal'
  readonly key: string
  readonly author: string
  constructor (key: string, author: string, options?: ErrorOptions) {
    super(`outcome record ${key}: entry signature does not verify for author ${author}`, options)
    this.key = key
    this.author = author
  }
}

/** A packet listed under a record entry is not that author's, not an outcome, or not under that key. */
export class ForeignPacketError extends OutcomeError {
  static override readonly category = 'internal'
  readonly cid: string
  readonly key: string
  constructor (cid: string, key: string, reason: string, options?: ErrorOptions) {
    super(`packet ${cid} listed under ${key} is foreign: ${reason}`, options)
    this.cid = cid
    this.key = key
  }
}

/** A listed packet that this node's trust pipeline refused or rejected (e.g. a confidence its nEval cannot support). */
export class PacketRefusedError extends OutcomeError {
  static override readonly category = 'internal'
  readonly cid: string
  constructor (cid: string, reason: string, options?: ErrorOptions) {
    super(`packet ${cid} refused by this node's trust pipeline: ${reason}`, options)
    this.cid = cid
  }
}

/** An outcome packet (or reproduction target) is neither local nor fetchable. */
export class OutcomeNotFoundError extends OutcomeError {
  static override readonly category = 'not-found'
  readonly cid: string
  constructor (cid: string, options?: ErrorOptions) {
    super(`outcome packet ${cid} is not in the library and could not be fetched${options?.cause instanceof Error ? `: ${options.cause.message}` : ''}`, options)
    this.cid = cid
  }
}

/** A query or recommendation request is malformed (no family, no task, bad option). */
export class InvalidOutcomeQueryError extends OutcomeError {
  readonly field: string
  constructor (field: string, reason: string) {
    super(`outcome query "${field}" ${reason}`)
    this.field = field
  }
}

/** An OutcomeService operation needs the DHT but none was configured. */
export class DhtUnavailableError extends OutcomeError {
  static override readonly category = 'unavailable'
  constructor (operation: string) {
    super(`${operation} needs the DHT, but this outcome service has none (start the mesh or use --local)`)
  }
}

function describe (value: unknown): string {
  if (typeof value === 'number') return String(value)
  try {
    const s = JSON.stringify(value)
    return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 57)}...` : s
  } catch {
    return String(value)
  }
}
