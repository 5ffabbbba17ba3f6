/**
 * Per-peer token buckets for gossip announcements and admissions.
 * Each (peer, action) has its own bucket; memory is bounded by dropping the buckets of idle
 * peers first (a full bucket carries no state). The clock is injected so tests control time.
 *
 * @example
 * ```ts
 * const limits = new RateLimiter({ onViolation: (peer) => reputation.record(peer, 'violations') })
 * if (!limits.tryTake(peer, 'announce')) return TopicValidatorResult.Ignore
 * ```
 */
import { DEFAULT_RATE_LIMITS, MAX_TRACKED_PEERS, RATE_ACTIONS } from './constants.ts'
import { InvalidTrustConfigError, PeerRateLimitedError } from './errors.ts'
import { TokenBucket } from '../limits/index.ts'
import type { BucketSpec, RateAction } from './constants.ts'

export interface RateLimiterInit {
  limits?: Partial<Record<RateAction, BucketSpec>>
  /** Milliseconds; default `performance.now`. */
  now?: () => number
  maxPeers?: number
  /** Peers never limited (e.g. allow-listed). */
  exempt?: (peer: string) => boolean
  /** Called once per refused request. */
  onViolation?: (peer: string, action: RateAction) => void
}

export interface RateLimiterStats {
  peers: number
  refused: Record<RateAction, number>
  allowed: Record<RateAction, number>
}

export class RateLimiter {
  readonly limits: Readonly<Record<RateAction, BucketSpec>>
  private readonly now: () => number
  private readonly maxPeers: number
  private readonly exempt: (peer: string) => boolean
  private readonly onViolation: ((peer: string, action: RateAction) => void) | undefined
  private readonly buckets = new Map<string, Map<RateAction, TokenBucket>>()
  private readonly refused = zeroCounts()
  private readonly allowed = zeroCounts()

  constructor (init: RateLimiterInit = {}) {
    const limits = { ...DEFAULT_RATE_LIMITS, ...init.limits }
    for (const action of RATE_ACTIONS) {
      const s = limits[action]
      if (!(s.rate > 0) || !Number.isFinite(s.rate)) throw new InvalidTrustConfigError(`limits.${action}.rate`, 'must be a positive number of tokens per second')
      if (!(s.burst >= 1) || !Number.isFinite(s.burst)) throw new InvalidTrustConfigError(`limits.${action}.burst`, 'must be at least 1')
    }
    this.limits = limits
    this.now = init.now ?? (() => performance.now())
    this.maxPeers = init.maxPeers ?? MAX_TRACKED_PEERS
    if (!Number.isInteger(this.maxPeers) || this.maxPeers < 1) throw new InvalidTrustConfigError('maxPeers', 'must be a positive integer')
    this.exempt = init.exempt ?? (() => false)
    this.onViolation = init.onViolation
  }

  /** Takes `cost` tokens; false (and a violation) when the peer is over its limit. */
  tryTake (peer: string, action: RateAction, cost = 1): boolean {
    if (this.exempt(peer)) {
      this.allowed[action]++
      return true
    }
    if (this.bucket(peer, action).tryTake(cost)) {
      this.allowed[action]++
      return true
    }
    this.refused[action]++
    this.onViolation?.(peer, action)
    return false
  }

  /** Like {@link tryTake} but throws {@link PeerRateLimitedError}. */
  take (peer: string, action: RateAction, cost = 1): void {
    if (!this.tryTake(peer, action, cost)) throw new PeerRateLimitedError(peer, action, this.retryAfter(peer, action, cost))
  }

  /** Milliseconds until `cost` tokens are available (0 when they are now). */
  retryAfter (peer: string, action: RateAction, cost = 1): number {
    return this.bucket(peer, action).waitTime(cost)
  }

  stats (): RateLimiterStats {
    return { peers: this.buckets.size, refused: { ...this.refused }, allowed: { ...this.allowed } }
  }

  private bucket (peer: string, action: RateAction): TokenBucket {
    let perPeer = this.buckets.get(peer)
    if (perPeer == null) {
      if (this.buckets.size >= this.maxPeers) this.evict()
      perPeer = new Map()
      this.buckets.set(peer, perPeer)
    } else {
      // most recently used last: Map order doubles as an LRU list
      this.buckets.delete(peer)
      this.buckets.set(peer, perPeer)
    }
    let b = perPeer.get(action)
    if (b == null) {
      const spec = this.limits[action]
      b = new TokenBucket(spec.rate, { burst: spec.burst, clock: { now: this.now } })
      perPeer.set(action, b)
    }
    return b
  }

  /** Drops peers whose buckets have refilled; if none, the least recently used. */
  private evict (): void {
    for (const [peer, perPeer] of this.buckets) {
      if ([...perPeer.values()].every(b => b.full)) this.buckets.delete(peer)
    }
    while (this.buckets.size >= this.maxPeers) {
      const oldest = this.buckets.keys().next().value
      if (oldest == null) break
      this.buckets.delete(oldest)
    }
  }
}

function zeroCounts (): Record<RateAction, number> {
  return Object.fromEntries(RATE_ACTIONS.map(a => [a, 0])) as Record<RateAction, number>
}
