/** Wire encoding of range-based reconciliation messages: bounds, varints, bounded reads. Pure. */
import { InvalidSyncMessageError } from './errors.ts'
import { readVarint, writeVarint } from './varint.ts'

export const SYNC_VERSION = 0x01
export const ID_SIZE = 32
export const FINGERPRINT_SIZE = 16

export const MODE_SKIP = 0
export const MODE_FINGERPRINT = 1
export const MODE_IDLIST = 2

export interface SyncItem {
  created: number
  /** 32 bytes (the sha2-256 digest of the artifact's CID). */
  id: Uint8Array
}

export interface Bound {
  created: number
  prefix: Uint8Array
}

export const MIN_BOUND: Bound = { created: 0, prefix: new Uint8Array(0) }
export const MAX_BOUND: Bound = { created: Infinity, prefix: new Uint8Array(0) }
export const MASK = (1n << 256n) - 1n

export function compareItems (a: SyncItem, b: SyncItem): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1
  return Buffer.compare(a.id, b.id)
}

export function compareToBound (item: SyncItem, bound: Bound): number {
  if (item.created !== bound.created) return item.created < bound.created ? -1 : 1
  for (let i = 0; i < ID_SIZE; i++) {
    const b = bound.prefix[i] ?? 0
    const x = item.id[i] ?? 0
    if (x !== b) return x < b ? -1 : 1
  }
  return 0
}

export function compareBounds (a: Bound, b: Bound): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1
  for (let i = 0; i < ID_SIZE; i++) {
    const x = a.prefix[i] ?? 0
    const y = b.prefix[i] ?? 0
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** The shortest bound that is above `prev` and not above `curr`. */
export function minimalBound (prev: SyncItem, curr: SyncItem): Bound {
  if (curr.created !== prev.created) return { created: curr.created, prefix: new Uint8Array(0) }
  let shared = 0
  while (shared < ID_SIZE && curr.id[shared] === prev.id[shared]) shared++
  return { created: curr.created, prefix: curr.id.subarray(0, Math.min(shared + 1, ID_SIZE)) }
}

export class Writer {
  private readonly parts: number[] = []
  private lastCreated = 0

  get length (): number { return this.parts.length }

  mark (): { length: number, lastCreated: number } { return { length: this.parts.length, lastCreated: this.lastCreated } }

  rollback (m: { length: number, lastCreated: number }): void {
    this.parts.length = m.length
    this.lastCreated = m.lastCreated
  }

  byte (b: number): void { this.parts.push(b) }
  varint (v: number): void { writeVarint(this.parts, v) }
  bytes (b: Uint8Array): void { for (const x of b) this.parts.push(x) }

  bound (b: Bound): void {
    if (b.created === Infinity) {
      this.varint(0)
      this.lastCreated = Infinity
    } else {
      this.varint(1 + b.created - this.lastCreated)
      this.lastCreated = b.created
    }
    this.varint(b.prefix.length)
    this.bytes(b.prefix)
  }

  finish (): Uint8Array { return Uint8Array.from(this.parts) }
}

export class Reader {
  private pos = 0
  private lastCreated = 0
  private readonly buf: Uint8Array
  constructor (buf: Uint8Array) { this.buf = buf }

  get remaining (): number { return this.buf.length - this.pos }

  fail (reason: string): never { throw new InvalidSyncMessageError(reason, this.pos) }

  byte (): number {
    const b = this.buf[this.pos]
    if (b === undefined) this.fail('truncated')
    this.pos++
    return b
  }

  varint (): number {
    const r = readVarint(this.buf, this.pos, 8)
    if (r === 'truncated') {
      this.pos = this.buf.length
      this.fail('truncated')
    }
    if (r === 'too-long') {
      this.pos += 8
      this.fail('varint too long')
    }
    this.pos += r.length
    if (!Number.isSafeInteger(r.value)) this.fail('varint out of range')
    return r.value
  }

  take (n: number): Uint8Array {
    if (n > this.remaining) this.fail(`wants ${n} bytes, ${this.remaining} left`)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  bound (): Bound {
    const v = this.varint()
    let created: number
    if (v === 0) {
      created = Infinity
    } else {
      if (this.lastCreated === Infinity) this.fail('bound after the infinite bound')
      created = this.lastCreated + v - 1
      if (!Number.isSafeInteger(created)) this.fail('timestamp out of range')
    }
    this.lastCreated = created
    const len = this.varint()
    if (len > ID_SIZE) this.fail(`id prefix of ${len} bytes`)
    return { created, prefix: this.take(len) }
  }
}

/** One side of a reconciliation over a fixed, sorted set of items. */
