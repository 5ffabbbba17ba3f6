/** One task's group of G rollouts with the current experiences in the prompt, graded. */
import { GraderFailedError } from './errors.ts'
import { loadTemplate, render } from './templates.ts'
import type { ExperienceSource, RelevantExperience } from './experience-source.ts'
import type { Grader } from './graders.ts'
import type { Task } from './tasks.ts'
import type { Template } from './templates.ts'
import type { LlmRuntime } from '../runtime/index.ts'

export interface Rollout {
  index: number
  output: string
  reward: number
  seed: number
}

export interface RolloutGroup {
  task: Task
  domain: string
  experiences: RelevantExperience[]
  rollouts: Rollout[]
  warnings: string[]
}

export interface RolloutOptions {
  runtime: LlmRuntime
  grader: Grader
  /** Null: no experiences (the baseline arm of an evaluation). */
  source: ExperienceSource | null
  domain: string
  group: number
  /** Seed of rollout i is `seedOf(i)`. */
  seedOf: (i: number) => number
  temperature: number
  maxTokens: number
  k: number
  tokenBudget: number
  solveTemplate?: Template
  signal?: AbortSignal
  onRollout?: () => void
}

/** FNV-1a over the parts: a deterministic 31-bit seed for (run seed, epoch, task, rollout). */
export function deriveSeed (...parts: Array<string | number>): number {
  let h = 0x811c9dc5
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0)!
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h & 0x7fffffff
}

export async function runGroup (task: Task, options: RolloutOptions): Promise<RolloutGroup> {
  const { runtime, grader, signal } = options
  const experiences = options.source == null
    ? []
    : await options.source.relevant(task.question, {
      domain: options.domain, k: options.k, tokenBudget: options.tokenBudget, ...(signal != null ? { signal } : {})
    })
  const solve = options.solveTemplate ?? loadTemplate('solve')
  const system = render(solve, { domainLine: options.domain === 'general' ? '' : `The question is about ${options.domain}.` })
  const rollouts: Rollout[] = []
  const warnings: string[] = []
  for (let i = 0; i < options.group; i++) {
    signal?.throwIfAborted()
    const seed = options.seedOf(i)
    const result = await runtime.doGenerate({
      messages: [{ role: 'system', content: system }, { role: 'user', content: task.question }],
      experiences: experiences.map(e => ({ cid: e.cid, text: e.text })),
      temperature: options.temperature,
      maxTokens: options.maxTokens,
      seed,
      ...(signal != null ? { signal } : {})
    })
    try {
      const reward = await grader.grade(result.text, task, signal != null ? { signal } : {})
      rollouts.push({ index: i, output: result.text, reward, seed })
    } catch (err) {
      if ((err as Error).name !== 'GraderFailedError') throw err
      const e = err as GraderFailedError
      warnings.push(`${e.message}${e.timedOut ? ' (timed out)' : ''}; rollout ${i + 1} of task ${task.id} dropped`)
    }
    options.onRollout?.()
  }
  return { task, domain: options.domain, experiences, rollouts, warnings }
}

export function meanReward (rollouts: Array<{ reward: number }>): number {
  return rollouts.length === 0 ? 0 : rollouts.reduce((s, r) => s + r.reward, 0) / rollouts.length
}

export function stdReward (rollouts: Array<{ reward: number }>): number {
  if (rollouts.length === 0) return 0
  const m = meanReward(rollouts)
  return Math.sqrt(rollouts.reduce((s, r) => s + (r.reward - m) ** 2, 0) / rollouts.length)
}
