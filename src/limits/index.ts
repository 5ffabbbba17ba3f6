/**
 * Limits shared by the mesh, trust, outcomes and the API: one token bucket (with an injectable
 * clock) and bounded concurrency (`mapLimit`, `Semaphore`). Bottom layer, beside `artifacts` and
 * `random`: imports nothing of the project.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(60, { burst: 120 })
 * if (!bucket.tryTake()) throw new RateLimitedError(Math.ceil(bucket.waitTime() / 1000))
 * const pages = await mapLimit(urls, 4, async url => fetch(url))
 * ```
 */
export { TokenBucket, systemClock } from './token-bucket.ts'
export type { Clock, TokenBucketOptions } from './token-bucket.ts'
export { mapLimit, Semaphore } from './concurrency.ts'
