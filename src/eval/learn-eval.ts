/**
 * `baobab learn eval`: held-out accuracy with and without the learned experiences, same runtime,
 * same seeds (each task's answer in both arms uses the same seed, so the comparison is paired).
 * Reports the delta per seed, its mean and spread, and a verdict that says "no significant
 * change" unless the 95% interval of the paired differences excludes zero.
 */
import {
  DEFAULT_ROLLOUT_MAX_TOKENS, DEFAULT_ROLLOUT_TEMPERATURE, DEFAULT_TOKEN_BUDGET, DEFAULT_TOP_K, GENERAL_DOMAIN,
  InvalidLearnOptionsError, deriveSeed, loadTemplate, runGroup
} from '../learn/index.ts'
import type { ExperienceSource, Grader, Task } from '../learn/index.ts'
import type { LlmRuntime } from '../runtime/index.ts'

export interface EvalOptions {
  runtime: LlmRuntime
  grader: Grader
  tasks: Task[]
  source: ExperienceSource
  /** Seeds; each gives one answer per task per arm (default [1, 2, 3]). */
  seeds?: number[]
  domain?: string
  temperature?: number
  maxTokens?: number
  k?: number
  tokenBudget?: number
  signal?: AbortSignal
  onProgress?: (e: { type: 'learn:eval', done: number, total: number }) => void
}

export interface Spread {
  mean: number
  sd: number
  min: number
  max: number
}

export interface EvalReport {
  tasks: number
  seeds: Array<{ seed: number, without: number, with: number, delta: number }>
  without: Spread
  with: Spread
  /** Spread of the per-seed deltas. */
  delta: Spread
  /** 95% interval of the mean paired difference over all (task, seed) pairs. */
  ci95: [number, number]
  verdict: 'gain' | 'loss' | 'no significant change'
  /** Experiences injected at least once in the "with" arm. */
  experiencesUsed: Array<{ cid: string, text: string, uses: number }>
  warnings: string[]
}

export function spread (xs: number[]): Spread {
  if (xs.length === 0) return { mean: 0, sd: 0, min: 0, max: 0 }
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  const sd = xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1))
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) }
}

export async function evaluateLearning (options: EvalOptions): Promise<EvalReport> {
  const seeds = options.seeds ?? [1, 2, 3]
  if (seeds.length === 0 || seeds.some(s => !Number.isInteger(s) || s < 0)) throw new InvalidLearnOptionsError('seeds', 'must be a non-empty list of integers >= 0')
  const tasks = options.tasks.some(t => t.split === 'test') ? options.tasks.filter(t => t.split === 'test') : options.tasks
  for (const t of tasks) {
    const why = options.grader.check(t)
    if (why != null) throw new InvalidLearnOptionsError('tasks', `task ${t.id} (line ${t.line}): ${why}`)
  }
  const solveTemplate = loadTemplate('solve')
  const perSeed: EvalReport['seeds'] = []
  const diffs: number[] = []
  const used = new Map<string, { cid: string, text: string, uses: number }>()
  const warnings: string[] = []
  const total = seeds.length * tasks.length * 2
  let done = 0
  for (const seed of seeds) {
    let sumWith = 0
    let sumWithout = 0
    for (const task of tasks) {
      const rewards: number[] = []
      for (const arm of ['without', 'with'] as const) {
        const g = await runGroup(task, {
          runtime: options.runtime,
          grader: options.grader,
          source: arm === 'with' ? options.source : null,
          domain: task.domain ?? options.domain ?? GENERAL_DOMAIN,
          group: 1,
          seedOf: () => deriveSeed('eval', seed, task.id),
          temperature: options.temperature ?? DEFAULT_ROLLOUT_TEMPERATURE,
          maxTokens: options.maxTokens ?? DEFAULT_ROLLOUT_MAX_TOKENS,
          k: options.k ?? DEFAULT_TOP_K,
          tokenBudget: options.tokenBudget ?? DEFAULT_TOKEN_BUDGET,
          solveTemplate,
          ...(options.signal != null ? { signal: options.signal } : {})
        })
        warnings.push(...g.warnings)
        rewards.push(g.rollouts[0]?.reward ?? 0)
        if (arm === 'with') {
          for (const e of g.experiences) {
            const u = used.get(e.cid) ?? { cid: e.cid, text: e.text, uses: 0 }
            u.uses++
            used.set(e.cid, u)
          }
        }
        options.onProgress?.({ type: 'learn:eval', done: ++done, total })
      }
      sumWithout += rewards[0]!
      sumWith += rewards[1]!
      diffs.push(rewards[1]! - rewards[0]!)
    }
    const w = sumWith / tasks.length
    const wo = sumWithout / tasks.length
    perSeed.push({ seed, without: wo, with: w, delta: w - wo })
  }
  const d = spread(diffs)
  const se = diffs.length < 2 ? 0 : d.sd / Math.sqrt(diffs.length)
  const ci95: [number, number] = [d.mean - 1.96 * se, d.mean + 1.96 * se]
  const verdict = diffs.length >= 2 && ci95[0] > 0 ? 'gain' : diffs.length >= 2 && ci95[1] < 0 ? 'loss' : 'no significant change'
  return {
    tasks: tasks.length,
    seeds: perSeed,
    without: spread(perSeed.map(s => s.without)),
    with: spread(perSeed.map(s => s.with)),
    delta: spread(perSeed.map(s => s.delta)),
    ci95,
    verdict,
    experiencesUsed: [...used.values()].sort((a, b) => b.uses - a.uses),
    warnings
  }
}
