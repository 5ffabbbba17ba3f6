/**
 * Range-based set reconciliation (the Negentropy method). Pure: no I/O, no libp2p, so the
 * simulator can run the same logic.
 *
 * Items are `(created, id)` pairs sorted by created then id bytes. A message is a version byte
 * followed by contiguous ranges; each range names its exclusive upper bound and a mode: skip
 * (equal), fingerprint (count + sum of ids, hashed) or an id list. Mismatched ranges split into
 * `BRANCHING` buckets, small ones list their ids, so the bytes exchanged grow with the size of
 * the difference and only logarithmically with the size of the sets.
 *
 * @example
 * ```ts
 * const a = new Reconciler(itemsA), b = new Reconciler(itemsB)
 * let msg: Uint8Array | null = a.initiate()
 * const have = [], need = []
 * while (msg != null) msg = a.reconcile(b.respond(msg), have, need)
 * ```
 */
import { createHash } from 'node:crypto'
import {
  FINGERPRINT_SIZE, ID_SIZE, MASK, MAX_BOUND, MIN_BOUND, MODE_FINGERPRINT, MODE_IDLIST, MODE_SKIP, Reader, SYNC_VERSION,
  Writer, compareBounds, compareItems, compareToBound, minimalBound
} from './reconcile-wire.ts'
import { varintBytes } from './varint.ts'
import type { Bound, SyncItem } from './reconcile-wire.ts'

export { FINGERPRINT_SIZE, ID_SIZE, SYNC_VERSION, compareItems } from './reconcile-wire.ts'
export type { SyncItem } from './reconcile-wire.ts'

export const BRANCHING = 16
export const DEFAULT_FRAME_SIZE_LIMIT = 60_000
export const MIN_FRAME_SIZE_LIMIT = 4096
/** Room kept free at the end of a frame for a closing skip + remainder fingerprint. */
const SLACK = 200

/**
 * A fixed set of items, sorted and deduplicated, with prefix sums so any range's fingerprint
 * costs one hash. Build once per library state; many reconciliations can share it.
 */
export class SyncSet {
  readonly size: number
  readonly items: SyncItem[]
  readonly hex: string[]
  private readonly prefixSums: bigint[]

  constructor (items: Iterable<SyncItem>) {
    const sorted = [...items].sort(compareItems)
    this.items = []
    for (const item of sorted) {
      if (item.id.length !== ID_SIZE) throw new RangeError(`item id must be ${ID_SIZE} bytes`)
      if (!Number.isSafeInteger(item.created) || item.created < 0) throw new RangeError('item created must be a non-negative integer')
      const last = this.items[this.items.length - 1]
      if (last == null || compareItems(last, item) !== 0) this.items.push(item)
    }
    this.size = this.items.length
    this.hex = this.items.map(i => Buffer.from(i.id).toString('hex'))
    this.prefixSums = [0n]
    let sum = 0n
    for (const item of this.items) {
      sum = (sum + BigInt('0x' + Buffer.from(item.id).reverse().toString('hex'))) & MASK
      this.prefixSums.push(sum)
    }
  }

  /** Fingerprint of items [lo, hi): sha256(sum of ids mod 2^256 ‖ varint(count)), first 16 bytes. */
  fingerprint (lo: number, hi: number): Uint8Array {
    const sum = ((this.prefixSums[hi] ?? 0n) - (this.prefixSums[lo] ?? 0n)) & MASK
    const le = Buffer.from(sum.toString(16).padStart(64, '0'), 'hex').reverse()
    const h = createHash('sha256').update(le).update(Uint8Array.from(varintBytes(hi - lo))).digest()
    return new Uint8Array(h.subarray(0, FINGERPRINT_SIZE))
  }

  /** First index at or after `from` whose item is not below `bound`. */
  lowerBound (from: number, bound: Bound): number {
    let lo = from
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareToBound(this.items[mid] as SyncItem, bound) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** One side of one reconciliation over a `SyncSet`. */
export class Reconciler {
  readonly size: number
  private readonly set: SyncSet
  private readonly items: SyncItem[]
  private readonly hex: string[]
  private readonly frameSizeLimit: number
  private initiator = false

  constructor (items: SyncSet | Iterable<SyncItem>, options: { frameSizeLimit?: number } = {}) {
    const limit = options.frameSizeLimit ?? DEFAULT_FRAME_SIZE_LIMIT
    if (!Number.isInteger(limit) || limit < MIN_FRAME_SIZE_LIMIT) throw new RangeError(`frameSizeLimit must be an integer ≥ ${MIN_FRAME_SIZE_LIMIT}`)
    this.frameSizeLimit = limit
    this.set = items instanceof SyncSet ? items : new SyncSet(items)
    this.items = this.set.items
    this.hex = this.set.hex
    this.size = this.set.size
  }

  fingerprint (lo: number, hi: number): Uint8Array {
    return this.set.fingerprint(lo, hi)
  }

  /** First message of the initiator. */
  initiate (): Uint8Array {
    this.initiator = true
    const out = new Writer()
    out.byte(SYNC_VERSION)
    this.splitRange(out, 0, this.size, MAX_BOUND)
    return out.finish()
  }

  /** Responder: answers one message. Always returns a message (possibly with no ranges). */
  respond (message: Uint8Array): Uint8Array {
    if (this.initiator) throw new Error('an initiating Reconciler cannot respond')
    return this.process(message, [], [])
  }

  /**
   * Initiator: processes a reply, adding ids only we have to `have` and ids only they have to
   * `need`. Returns the next message, or null when reconciliation is complete.
   */
  reconcile (message: Uint8Array, have: Uint8Array[], need: Uint8Array[]): Uint8Array | null {
    if (!this.initiator) throw new Error('call initiate() first')
    const out = this.process(message, have, need)
    return out.length <= 1 ? null : out
  }

  private lowerBound (from: number, bound: Bound): number {
    return this.set.lowerBound(from, bound)
  }

  private full (out: Writer): boolean {
    return out.length > this.frameSizeLimit - SLACK
  }

  private process (message: Uint8Array, have: Uint8Array[], need: Uint8Array[]): Uint8Array {
    const input = new Reader(message)
    const version = input.byte()
    if (version !== SYNC_VERSION) input.fail(`unsupported version ${version}`)
    const out = new Writer()
    out.byte(SYNC_VERSION)
    let prevBound = MIN_BOUND
    let prevIndex = 0
    let skipPending = false
    const flushSkip = (): void => {
      if (!skipPending) return
      out.bound(prevBound)
      out.varint(MODE_SKIP)
      skipPending = false
    }
    const remainder = (from: number): void => {
      flushSkip()
      out.bound(MAX_BOUND)
      out.varint(MODE_FINGERPRINT)
      out.bytes(this.fingerprint(from, this.size))
    }

    while (input.remaining > 0) {
      const currBound = input.bound()
      if (compareBounds(currBound, prevBound) <= 0) input.fail('bounds are not increasing')
      const mode = input.varint()
      const lower = prevIndex
      const upper = this.lowerBound(lower, currBound)
      const mark = out.mark()
      const skipBefore = skipPending

      if (mode === MODE_SKIP) {
        skipPending = true
      } else if (mode === MODE_FINGERPRINT) {
        const theirs = input.take(FINGERPRINT_SIZE)
        if (Buffer.compare(theirs, this.fingerprint(lower, upper)) === 0) {
          skipPending = true
        } else {
          flushSkip()
          this.splitRange(out, lower, upper, currBound)
        }
      } else if (mode === MODE_IDLIST) {
        const count = input.varint()
        if (count * ID_SIZE > input.remaining) input.fail(`id list of ${count} does not fit`)
        const theirs = new Set<string>()
        for (let i = 0; i < count; i++) theirs.add(Buffer.from(input.take(ID_SIZE)).toString('hex'))
        if (this.initiator) {
          for (let i = lower; i < upper; i++) {
            const h = this.hex[i] as string
            if (!theirs.delete(h)) have.push((this.items[i] as SyncItem).id)
          }
          for (const h of theirs) need.push(new Uint8Array(Buffer.from(h, 'hex')))
          skipPending = true
        } else {
          flushSkip()
          const room = Math.floor((this.frameSizeLimit - SLACK - out.length - 60) / ID_SIZE)
          const take = Math.min(upper - lower, room)
          if (take <= 0 && upper > lower) {
            out.rollback(mark)
            skipPending = skipBefore
            remainder(lower)
            break
          }
          const end = take === upper - lower
            ? currBound
            : minimalBound(this.items[lower + take - 1] as SyncItem, this.items[lower + take] as SyncItem)
          out.bound(end)
          out.varint(MODE_IDLIST)
          out.varint(take)
          for (let i = lower; i < lower + take; i++) out.bytes((this.items[i] as SyncItem).id)
          if (take < upper - lower) {
            remainder(lower + take)
            break
          }
        }
      } else {
        input.fail(`unknown mode ${mode}`)
      }

      if (this.full(out)) {
        out.rollback(mark)
        skipPending = skipBefore
        remainder(lower)
        break
      }
      prevIndex = upper
      prevBound = currBound
    }
    return out.finish()
  }

  private splitRange (out: Writer, lower: number, upper: number, upperBound: Bound): void {
    const n = upper - lower
    if (n < BRANCHING * 2) {
      out.bound(upperBound)
      out.varint(MODE_IDLIST)
      out.varint(n)
      for (let i = lower; i < upper; i++) out.bytes((this.items[i] as SyncItem).id)
      return
    }
    const per = Math.floor(n / BRANCHING)
    const extra = n % BRANCHING
    let curr = lower
    for (let b = 0; b < BRANCHING; b++) {
      const start = curr
      curr += per + (b < extra ? 1 : 0)
      const fp = this.fingerprint(start, curr)
      const bound = curr === upper
        ? upperBound
        : minimalBound(this.items[curr - 1] as SyncItem, this.items[curr] as SyncItem)
      out.bound(bound)
      out.varint(MODE_FINGERPRINT)
      out.bytes(fp)
    }
  }
}

export interface LocalReconcileResult {
  have: Uint8Array[]
  need: Uint8Array[]
  rounds: number
  /** Bytes sent by the initiator and by the responder. */
  bytesOut: number
  bytesIn: number
}

/** Runs a whole reconciliation in memory (tests, simulator, benchmarks). */
export function reconcileLocal (
  initiator: Iterable<SyncItem>, responder: Iterable<SyncItem>, options: { frameSizeLimit?: number, maxRounds?: number } = {}
): LocalReconcileResult {
  const a = new Reconciler(initiator, options)
  const b = new Reconciler(responder, options)
  const have: Uint8Array[] = []
  const need: Uint8Array[] = []
  let msg: Uint8Array | null = a.initiate()
  let rounds = 0
  let bytesOut = 0
  let bytesIn = 0
  const maxRounds = options.maxRounds ?? 64
  while (msg != null) {
    if (++rounds > maxRounds) throw new Error(`no convergence in ${maxRounds} rounds`)
    bytesOut += msg.length
    const reply = b.respond(msg)
    bytesIn += reply.length
    msg = a.reconcile(reply, have, need)
  }
  return { have, need, rounds, bytesOut, bytesIn }
}
