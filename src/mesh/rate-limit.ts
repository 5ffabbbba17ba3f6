/** Per-peer limits: a token bucket for bytes per second and a counter for concurrent requests. */
import { systemClock, TokenBucket } from '../limits/index.ts'
import type { Clock } from '../limits/index.ts'

/** Bytes a peer may send at once when a byte rate is set (or one second's worth, if more). */
const MIN_BYTE_BURST = 256 * 1024

/** Keyed limiters created on first use and dropped when idle. */
export class PeerLimits {
  private readonly buckets = new Map<string, TokenBucket>()
  private readonly active = new Map<string, number>()
  readonly bytesPerSecond: number
  readonly concurrency: number
  private readonly clock: Clock

  constructor (init: { bytesPerSecond: number, concurrency: number, clock?: Clock }) {
    if (!Number.isInteger(init.concurrency) || init.concurrency < 1) throw new RangeError('concurrency must be a positive integer')
    this.bytesPerSecond = init.bytesPerSecond
    this.concurrency = init.concurrency
    this.clock = init.clock ?? systemClock
  }

  bucket (peer: string): TokenBucket {
    let b = this.buckets.get(peer)
    if (b == null) {
      if (this.buckets.size >= 1024) for (const k of this.buckets.keys()) if (!this.active.has(k)) this.buckets.delete(k)
      b = new TokenBucket(this.bytesPerSecond, { burst: Math.max(this.bytesPerSecond, MIN_BYTE_BURST), clock: this.clock })
      this.buckets.set(peer, b)
    }
    return b
  }

  /** Takes a slot for `peer`; false when it already has `concurrency` in flight. */
  acquire (peer: string): boolean {
    const n = this.active.get(peer) ?? 0
    if (n >= this.concurrency) return false
    this.active.set(peer, n + 1)
    return true
  }

  release (peer: string): void {
    const n = (this.active.get(peer) ?? 1) - 1
    if (n <= 0) {
      this.active.delete(peer)
    } else {
      this.active.set(peer, n)
    }
  }

  inFlight (peer: string): number {
    return this.active.get(peer) ?? 0
  }
}
