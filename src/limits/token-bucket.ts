/**
 * The token bucket every limit in the mesh, trust and the API is built on: `rate` tokens per
 * second refill a bucket of `burst` tokens. Callers keep their own keyed maps of buckets (per
 * peer, per peer and action, per client) and decide what a refusal means.
 */

/** Milliseconds and sleeps, injected so tests control time. */
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

export interface TokenBucketOptions {
  /** Tokens the bucket holds when full (and starts with). Default: one second's worth. */
  burst?: number
  /** Time source; `sleep` is needed only by {@link TokenBucket.take}. Default {@link systemClock}. */
  clock?: Pick<Clock, 'now'> & Partial<Clock>
}

/** `rate` tokens per second with a `burst` allowance; `rate` 0 means unlimited. */
export class TokenBucket {
  readonly rate: number
  readonly burst: number
  private tokens: number
  private last: number
  private readonly clock: Pick<Clock, 'now'> & Partial<Clock>

  constructor (rate: number, options: TokenBucketOptions = {}) {
    if (!Number.isFinite(rate) || rate < 0) throw new RangeError('rate must be ≥ 0 tokens per second')
    this.rate = rate
    this.burst = options.burst ?? rate
    this.clock = options.clock ?? systemClock
    this.tokens = this.burst
    this.last = this.clock.now()
  }

  /** Tokens held after refilling up to now (a clock that steps back refills nothing). */
  private level (now: number): number {
    return Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate)
  }

  private refill (): void {
    const now = this.clock.now()
    this.tokens = this.level(now)
    this.last = now
  }

  /** Takes `n` tokens if the bucket holds them; false (and nothing taken) otherwise. */
  tryTake (n = 1): boolean {
    if (this.rate === 0) return true
    this.refill()
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }

  /** Milliseconds until `n` tokens are held (0 when they are now). */
  waitTime (n = 1): number {
    if (this.rate === 0) return 0
    this.refill()
    return this.tokens >= n ? 0 : ((n - this.tokens) / this.rate) * 1000
  }

  /** Milliseconds to wait before `n` tokens may be spent, after taking them (debt allowed). */
  reserve (n: number): number {
    if (this.rate === 0) return 0
    this.refill()
    this.tokens -= n
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000
  }

  /** Takes `n` tokens, sleeping as long as {@link reserve} says. */
  async take (n: number, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(n)
    if (wait > 0) await (this.clock.sleep ?? systemClock.sleep)(wait, signal)
  }

  /** True when the bucket has refilled completely: it carries no state and may be dropped. */
  get full (): boolean {
    return this.level(this.clock.now()) >= this.burst
  }
}
