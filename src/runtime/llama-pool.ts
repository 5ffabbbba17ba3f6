/**
 * A pool of llama.cpp contexts keyed by adapter set (LRU). Each context holds one sequence and
 * serves one call at a time; switching to an expert whose context is warm is a map lookup.
 */
import type { Logger } from '@libp2p/logger'
import type { LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp'
import { RuntimeError } from './errors.ts'

export interface PoolAdapter {
  /** Absolute GGUF path. */
  path: string
  scale: number
}

export interface PoolInit {
  model: LlamaModel
  size: number
  contextSize: number
  threads?: number
  batchSize?: number
  log: Logger
}

export interface PoolLease {
  sequence: LlamaContextSequence
  context: LlamaContext
  /** True when the context was already warm. */
  hit: boolean
  release: () => void
}

export interface PoolStats {
  size: number
  capacity: number
  hits: number
  misses: number
  evictions: number
}

/** FIFO lock; waiting honours an AbortSignal. */
class Lock {
  private held = false
  private readonly waiters: Array<() => void> = []

  get idle (): boolean {
    return !this.held && this.waiters.length === 0
  }

  async acquire (signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    if (!this.held) {
      this.held = true
      return
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(grant)
    })
  }

  release (): void {
    const next = this.waiters.shift()
    if (next != null) next()
    else this.held = false
  }
}

interface Entry {
  key: string
  lock: Lock
  lastUsed: number
  ready: Promise<{ context: LlamaContext, sequence: LlamaContextSequence }>
  /** Set once `ready` settles successfully. */
  context?: LlamaContext
}

export function adapterSetKey (adapters: PoolAdapter[]): string {
  return JSON.stringify(adapters.map(a => [a.path, a.scale]).sort((x, y) => String(x[0]).localeCompare(String(y[0])) || Number(x[1]) - Number(y[1])))
}

export class ContextPool {
  private readonly init: PoolInit
  private readonly entries = new Map<string, Entry>()
  private tick = 0
  private closed = false
  private readonly counts = { hits: 0, misses: 0, evictions: 0 }

  constructor (init: PoolInit) {
    this.init = init
  }

  stats (): PoolStats {
    return { size: this.entries.size, capacity: this.init.size, ...this.counts }
  }

  has (adapters: PoolAdapter[]): boolean {
    return this.entries.has(adapterSetKey(adapters))
  }

  async acquire (adapters: PoolAdapter[], signal?: AbortSignal): Promise<PoolLease> {
    if (this.closed) throw new RuntimeError('context pool is closed')
    const key = adapterSetKey(adapters)
    let entry = this.entries.get(key)
    const hit = entry != null
    if (entry == null) {
      this.counts.misses++
      entry = this.create(key, adapters)
    } else {
      this.counts.hits++
    }
    entry.lastUsed = ++this.tick
    await entry.lock.acquire(signal)
    let ready
    try {
      ready = await entry.ready
    } catch (err) {
      entry.lock.release()
      throw err
    }
    const lockedEntry = entry
    let released = false
    return {
      ...ready,
      hit,
      release: () => {
        if (released) return
        released = true
        lockedEntry.lastUsed = ++this.tick
        lockedEntry.lock.release()
        this.trim()
      }
    }
  }

  private create (key: string, adapters: PoolAdapter[]): Entry {
    const { model, contextSize, threads, batchSize, log } = this.init
    const ready = model.createContext({
      contextSize,
      ...(threads != null ? { threads } : {}),
      ...(batchSize != null ? { batchSize } : {}),
      ...(adapters.length > 0 ? { lora: { adapters: adapters.map(a => ({ filePath: a.path, scale: a.scale })) } } : {})
    }).then(context => ({ context, sequence: context.getSequence() }))
    const entry: Entry = { key, lock: new Lock(), lastUsed: ++this.tick, ready }
    ready.then(({ context }) => {
      entry.context = context
      log('context created for %s', key)
    }, (err: unknown) => {
      log.error('context creation failed for %s: %e', key, err)
      if (this.entries.get(key) === entry) this.entries.delete(key)
    })
    this.entries.set(key, entry)
    this.trim()
    return entry
  }

  /** Disposes least-recently-used idle contexts until the pool is within its capacity. */
  private trim (): void {
    while (this.entries.size > this.init.size) {
      let victim: Entry | undefined
      for (const e of this.entries.values()) {
        if (e.lock.idle && e.context != null && (victim == null || e.lastUsed < victim.lastUsed)) victim = e
      }
      if (victim == null) return // everything busy: shrink when a lease is released
      this.entries.delete(victim.key)
      this.counts.evictions++
      const ctx = victim.context
      this.init.log('evicting context %s', victim.key)
      ctx?.dispose().catch((err: unknown) => { this.init.log.error('dispose failed: %e', err) })
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    const all = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(all.map(async (e) => {
      try {
        const { context } = await e.ready
        await context.dispose()
      } catch {
        // creation failed: nothing to dispose
      }
    }))
  }
}
