/**
 * Request guards: the bearer token (constant-time compare), a per-client token bucket, and
 * loopback detection for `serveApi`.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { InvalidApiOptionsError, RateLimitedError, UnauthorizedError } from './errors.ts'
import { TokenBucket } from '../limits/index.ts'

export const TOKEN_COOKIE = 'baobab_token'

/** Compares a presented token with the configured one in time independent of where they differ. */
export function tokenMatches (presented: string | undefined, expected: string): boolean {
  if (presented == null) return false
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** The token a request presents: `Authorization: Bearer …`, else the dashboard cookie. */
export function presentedToken (authorization: string | undefined, cookie: string | undefined): string | undefined {
  if (authorization != null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    return m?.[1] ?? ''
  }
  if (cookie != null) {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=')
      if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='))
    }
  }
  return undefined
}

export function checkToken (presented: string | undefined, expected: string): void {
  if (!tokenMatches(presented, expected)) throw new UnauthorizedError()
}

export interface RateLimitOptions {
  /** Requests a client may send at once (bucket size). */
  burst: number
  /** Sustained requests per second per client (refill rate). */
  perSecond: number
  /** Clients tracked at most; full buckets are forgotten first. Default 10,000. */
  maxClients?: number
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 120, perSecond: 60 }

/** One token bucket per client key. `take` throws RateLimitedError when the bucket is empty. */
export class TokenBuckets {
  private readonly burst: number
  private readonly perSecond: number
  private readonly maxClients: number
  private readonly buckets = new Map<string, TokenBucket>()
  private readonly now: () => number

  constructor (options: RateLimitOptions, now: () => number = Date.now) {
    if (!(options.burst >= 1) || !Number.isFinite(options.burst)) throw new InvalidApiOptionsError('rateLimit.burst', 'must be a number ≥ 1')
    if (!(options.perSecond > 0) || !Number.isFinite(options.perSecond)) throw new InvalidApiOptionsError('rateLimit.perSecond', 'must be a number > 0')
    this.burst = options.burst
    this.perSecond = options.perSecond
    this.maxClients = options.maxClients ?? 10_000
    this.now = now
  }

  take (client: string): void {
    let b = this.buckets.get(client)
    if (b == null) {
      if (this.buckets.size >= this.maxClients) this.prune()
      b = new TokenBucket(this.perSecond, { burst: this.burst, clock: { now: this.now } })
      this.buckets.set(client, b)
    }
    if (!b.tryTake(1)) throw new RateLimitedError(Math.max(1, Math.ceil(b.waitTime(1) / 1000)))
  }

  get size (): number {
    return this.buckets.size
  }

  private prune (): void {
    for (const [k, b] of this.buckets) {
      if (b.full) this.buckets.delete(k)
    }
    // Still full of busy clients: forget the oldest half rather than grow without bound.
    if (this.buckets.size >= this.maxClients) {
      let drop = Math.ceil(this.buckets.size / 2)
      for (const k of this.buckets.keys()) {
        if (drop-- <= 0) break
        this.buckets.delete(k)
      }
    }
  }
}

/** True for 127.0.0.0/8, ::1, `localhost` and IPv4-mapped loopback. */
export function isLoopbackHost (host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost') return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h)
  return false
}
