/**
 * A virtual clock that drives real async code as a discrete-event simulation: `sleep(ms)` parks a
 * promise on a timer heap; `run(task)` lets all ready work finish, then jumps the clock to the
 * earliest timer and wakes it, until the task settles. Simulated hours take milliseconds, and the
 * order of events is exactly the order of their simulated times.
 */
import { EventQueue } from '../event-queue.ts'
import type { SimEvent } from '../event-queue.ts'

interface Timer extends SimEvent { wake: () => void }

const tick = async (): Promise<void> => new Promise(resolve => { setImmediate(resolve) })

export class VirtualClock {
  now = 0
  private readonly timers = new EventQueue<Timer>()

  async sleep (ms: number): Promise<void> {
    return new Promise(resolve => { this.timers.push({ t: this.now + Math.max(0, ms), wake: resolve }) })
  }

  /** Runs `task` to completion in virtual time. */
  async run<T> (task: Promise<T>): Promise<T> {
    let done = false
    let value: T | undefined
    let error: unknown
    let failed = false
    task.then(v => { value = v; done = true }, (e: unknown) => { error = e; failed = true; done = true })
    let idle = 0
    while (!done) {
      await tick()
      if (done) break
      const next = this.timers.pop()
      if (next == null) {
        // nothing scheduled in virtual time: let real callbacks (if any) run, but never spin forever
        if (++idle > 10_000) throw new Error('simulation stalled: the task waits on something outside the virtual clock')
        await new Promise(resolve => { setTimeout(resolve, 0) })
        continue
      }
      idle = 0
      this.now = Math.max(this.now, next.t)
      next.wake()
    }
    if (failed) throw error
    return value as T
  }
}
