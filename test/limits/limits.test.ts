/** The shared token bucket (controlled clock) and bounded concurrency. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { mapLimit, Semaphore, TokenBucket } from '../../src/limits/index.ts'
import type { Clock } from '../../src/limits/index.ts'

describe('TokenBucket', () => {
  it('the token bucket spaces sends to the byte rate (controlled clock)', async () => {
    let now = 0
    const slept: number[] = []
    const clock: Clock = { now: () => now, sleep: async (ms) => { slept.push(ms); now += ms } }
    const b = new TokenBucket(1000, { burst: 1000, clock })
    await b.take(1000)
    assert.deepEqual(slept, [])
    await b.take(500)
    assert.deepEqual(slept, [500])
    now += 2000
    await b.take(1000)
    assert.deepEqual(slept, [500])
    assert.equal(new TokenBucket(0).reserve(1e9), 0)
  })

  it('tryTake refuses without taking, waitTime says when, and a refilled bucket is full', () => {
    let now = 0
    const b = new TokenBucket(2, { burst: 3, clock: { now: () => now } })
    assert.ok(b.full)
    assert.ok(b.tryTake(3))
    assert.ok(!b.full)
    assert.ok(!b.tryTake(1))
    assert.equal(b.waitTime(1), 500)
    now += 250
    assert.ok(!b.tryTake(1))
    assert.equal(b.waitTime(1), 250)
    now += 250
    assert.ok(b.tryTake(1))
    now -= 10_000
    assert.equal(b.waitTime(1), 500, 'a clock stepping back refills nothing')
    now += 60_000
    assert.ok(b.full)
    assert.equal(b.waitTime(3), 0)
    assert.throws(() => new TokenBucket(-1), RangeError)
    assert.throws(() => new TokenBucket(Number.NaN), RangeError)
  })
})

describe('bounded concurrency', () => {
  it('mapLimit keeps input order and never runs more than the limit', async () => {
    let running = 0
    let peak = 0
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (x, i) => {
      running++
      peak = Math.max(peak, running)
      await new Promise(resolve => setImmediate(resolve))
      for (let k = 0; k < x; k++) await Promise.resolve()
      running--
      return x * 10 + i
    })
    assert.deepEqual(out, [50, 11, 42, 23, 34, 5])
    assert.equal(peak, 2)
    assert.deepEqual(await mapLimit([], 4, async () => 1), [])
  })

  it('Semaphore admits at most its limit, the rest in order', async () => {
    const s = new Semaphore(1)
    const order: number[] = []
    let release: () => void = () => {}
    const first = s.run(async () => { await new Promise<void>(resolve => { release = resolve }); order.push(1) })
    const second = s.run(async () => { order.push(2) })
    const third = s.run(async () => { order.push(3) })
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(order, [])
    release()
    await Promise.all([first, second, third])
    assert.deepEqual(order, [1, 2, 3])
    assert.throws(() => new Semaphore(0), RangeError)
  })
})
