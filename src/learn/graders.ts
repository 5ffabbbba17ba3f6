/**
 * Graders turn an answer into a reward. Built-ins: `exact` (normalised equality), `regex`,
 * `numeric` (last number within tolerance), `keywords` (recall of expected keywords as
 * case-insensitive substrings, as in the gossip-handshake eval). Anything else is a path to a
 * JS/TS module exporting `grade(output, task)` (or a default function), which runs in a worker
 * thread so a grader that throws or hangs costs a warning, not the run.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { logger } from '@libp2p/logger'
import { DEFAULT_GRADER_TIMEOUT_MS } from './constants.ts'
import { GraderFailedError, InvalidGraderError } from './errors.ts'
import type { Task } from './tasks.ts'

const log = logger('baobab:learn:grader')

export interface Grader {
  readonly name: string
  /** Reward for `output` on `task` (built-ins: 0..1). Throws {@link GraderFailedError}. */
  grade(output: string, task: Task, options?: { signal?: AbortSignal }): Promise<number>
  /** Why `task` cannot be graded by this grader, or null. */
  check(task: Task): string | null
  close(): Promise<void>
}

export const BUILTIN_GRADERS = ['exact', 'regex', 'numeric', 'keywords'] as const

export function normalizeAnswer (s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim().replace(/^["'`]+|["'`]+$/g, '').replace(/[.!。]+$/, '').trim()
}

/** The last number in a text ("1,234.5" → 1234.5), or null. */
export function lastNumber (text: string): number | null {
  const all = text.match(/-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?|-?\.\d+/gi)
  if (all == null) return null
  const n = Number(all[all.length - 1]!.replace(/,/g, ''))
  return Number.isFinite(n) ? n : null
}

function builtin (name: (typeof BUILTIN_GRADERS)[number]): Grader {
  const fns: Record<typeof name, { check(t: Task): string | null, grade(o: string, t: Task): number }> = {
    exact: {
      check: t => (t.answer === undefined && t.answers === undefined ? 'exact grader needs "answer" or "answers"' : null),
      grade: (o, t) => {
        const accepted = [...(t.answers ?? []), ...(t.answer !== undefined ? [String(t.answer)] : [])].map(normalizeAnswer)
        return accepted.includes(normalizeAnswer(o)) ? 1 : 0
      }
    },
    regex: {
      check: t => (t.pattern === undefined && typeof t.answer !== 'string' ? 'regex grader needs "pattern" (or a string "answer" used as the pattern)' : null),
      grade: (o, t) => (new RegExp(t.pattern ?? String(t.answer), 'i').test(o) ? 1 : 0)
    },
    numeric: {
      check: t => (t.answer === undefined || !Number.isFinite(Number(t.answer)) ? 'numeric grader needs a numeric "answer"' : null),
      grade: (o, t) => {
        const n = lastNumber(o)
        return n != null && Math.abs(n - Number(t.answer)) <= (t.tolerance ?? 1e-6) ? 1 : 0
      }
    },
    keywords: {
      check: t => (t.keywords === undefined ? 'keywords grader needs "keywords"' : null),
      grade: (o, t) => {
        const lower = o.toLowerCase()
        const kws = t.keywords ?? []
        return kws.filter(k => lower.includes(k.toLowerCase())).length / kws.length
      }
    }
  }
  const f = fns[name]
  return {
    name,
    check: f.check,
    async grade (output, task, options = {}) {
      options.signal?.throwIfAborted()
      const why = f.check(task)
      if (why != null) throw new GraderFailedError(name, task.id, why, false)
      return f.grade(output, task)
    },
    async close () {}
  }
}

export interface LoadGraderOptions {
  /** Per-call limit for module graders (default 5 s). */
  timeoutMs?: number
  /** Base directory for relative module paths (default cwd). */
  cwd?: string
}

/** A built-in grader by name, or a grader module by path. Throws {@link InvalidGraderError}. */
export async function loadGrader (spec: string, options: LoadGraderOptions = {}): Promise<Grader> {
  if ((BUILTIN_GRADERS as readonly string[]).includes(spec)) return builtin(spec as (typeof BUILTIN_GRADERS)[number])
  const path = resolve(options.cwd ?? process.cwd(), spec)
  if (!/\.(m?[jt]s|cjs)$/.test(path)) throw new InvalidGraderError(spec, `not a built-in grader (${BUILTIN_GRADERS.join(', ')}) nor a .js/.mjs/.ts module path`)
  if (!existsSync(path)) throw new InvalidGraderError(spec, `module ${path} does not exist`)
  const grader = new ModuleGrader(spec, path, options.timeoutMs ?? DEFAULT_GRADER_TIMEOUT_MS)
  await grader.start()
  return grader
}

interface Pending { resolve(v: number): void, reject(e: Error): void, taskId: string, worker: Worker, cleanup(): void }

class ModuleGrader implements Grader {
  readonly name: string
  private readonly path: string
  private readonly timeoutMs: number
  private worker: Worker | undefined
  private ready: Promise<void> | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1

  constructor (name: string, path: string, timeoutMs: number) {
    this.name = name
    this.path = path
    this.timeoutMs = timeoutMs
  }

  check (): string | null {
    return null
  }

  async start (): Promise<void> {
    if (this.ready != null) return this.ready
    const worker = new Worker(new URL('./grader-worker.ts', import.meta.url), { workerData: { url: pathToFileURL(this.path).href } })
    this.worker = worker
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { type: string, id?: number, reward?: unknown, error?: string }): void => {
        if (m.type === 'ready') resolve()
        else if (m.type === 'load-error') reject(new InvalidGraderError(this.name, m.error ?? 'cannot load'))
        else if (m.id != null) this.settle(m.id, m.reward, m.error)
      }
      worker.on('message', onMessage)
      worker.on('error', (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err)
        reject(new InvalidGraderError(this.name, message, { cause: err }))
        this.failAll(worker, `worker crashed: ${message}`)
      })
      worker.on('exit', () => {
        this.detach(worker)
        this.failAll(worker, 'worker exited')
      })
    })
    try {
      await this.ready
    } catch (err) {
      await worker.terminate()
      throw err
    }
  }

  async grade (output: string, task: Task, options: { signal?: AbortSignal } = {}): Promise<number> {
    options.signal?.throwIfAborted()
    await this.start()
    const worker = this.worker!
    const id = this.nextId++
    return new Promise<number>((resolve, reject) => {
      const onAbort = (): void => { this.pending.delete(id); cleanup(); reject(options.signal!.reason as Error) }
      const cleanup = (): void => { clearTimeout(timer); options.signal?.removeEventListener('abort', onAbort) }
      const timer = setTimeout(() => {
        this.pending.delete(id)
        cleanup()
        log('grader %s timed out on %s; restarting its worker', this.name, task.id)
        this.detach(worker)
        void worker.terminate()
        reject(new GraderFailedError(this.name, task.id, `no answer within ${this.timeoutMs} ms`, true))
      }, this.timeoutMs)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, { resolve, reject, taskId: task.id, worker, cleanup })
      worker.postMessage({ id, output, task })
    })
  }

  async close (): Promise<void> {
    const w = this.worker
    this.worker = undefined
    this.ready = undefined
    if (w != null) await w.terminate()
  }

  private settle (id: number, reward: unknown, error: string | undefined): void {
    const p = this.pending.get(id)
    if (p == null) return
    this.pending.delete(id)
    p.cleanup()
    if (error != null) p.reject(new GraderFailedError(this.name, p.taskId, `threw: ${error}`, false))
    else if (typeof reward === 'boolean') p.resolve(reward ? 1 : 0)
    else if (typeof reward !== 'number' || !Number.isFinite(reward)) p.reject(new GraderFailedError(this.name, p.taskId, `returned ${String(reward)}, not a finite number`, false))
    else p.resolve(reward)
  }

  /** Forgets `worker` so the next call starts a fresh one. */
  private detach (worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined
      this.ready = undefined
    }
  }

  private failAll (worker: Worker, reason: string): void {
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue
      this.pending.delete(id)
      p.cleanup()
      p.reject(new GraderFailedError(this.name, p.taskId, reason, false))
    }
  }
}
