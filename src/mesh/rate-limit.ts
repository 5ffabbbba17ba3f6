/** Per-peer limits: a token bucket for bytes per second and a counter for concurrent requests. */

export interface Clock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { clearTimeout(t); reject(signal?.reason) }
      const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}

/** Bytes per second with a burst allowance; `rate` 0 means unlimited. */
export class TokenBucket {
  readonly rate: number
  readonly burst: number
  private tokens: number
  private last: number
  private readonly clock: Clock

  constructor (rate: number, options: { burst?: number, clock?: Clock } = {}) {
    if (!Number.isFinite(rate) || rate < 0) throw new RangeError('rate must be ≥ 0 bytes per second')
    this.rate = rate
    this.burst = options.burst ?? Math.max(rate, 256 * 1024)
    this.clock = options.clock ?? systemClock
    this.tokens = this.burst
    this.last = this.clock.now()
  }

  private refill (): void {
    const now = this.clock.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate)
    this.last = now
  }

  /** Milliseconds to wait before `n` bytes may go, after taking them (debt allowed). */
  reserve (n: number): number {
    if (this.rate === 0) return 0
    this.refill()
    this.tokens -= n
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000
  }

  async take (n: number, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(n)
    if (wait > 0) await this.clock.sleep(wait, signal)
  }
}

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
      b = new TokenBucket(this.bytesPerSecond, { clock: this.clock })
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

/** At most `limit` holders at once; the rest wait in order. */
export class Semaphore {
  private active = 0
  private readonly waiting: Array<() => void> = []
  readonly limit: number

  constructor (limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer')
    this.limit = limit
  }

  async run<T> (fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>(resolve => { this.waiting.push(resolve) })
    this.active++
    try {
      return await fn()
    } finally {
      this.active--
      this.waiting.shift()?.()
    }
  }
}
