/**
 * The experience A/B check: held-out reward on this node's own tasks with the one experience in
 * the prompt against without it (same runtime, same seeds, paired). An experience that lowers the
 * reward by more than `margin` fails (`ab-harm`); one that helps or changes nothing passes — the
 * screens have already refused injection and junk, so "no measurable harm" is what is asked here.
 */
import { fmt } from '../trust/index.ts'
import { evaluateLearning } from './learn-eval.ts'
import type { CanaryReport, ExperienceCheck } from '../trust/index.ts'
import type { Grader, Task } from '../learn/index.ts'
import type { LlmRuntime } from '../runtime/index.ts'

export interface ExperienceCheckInit {
  runtime: LlmRuntime
  grader: Grader
  tasks: Task[]
  /** Default [1]. */
  seeds?: number[]
  /** A drop in mean reward beyond this fails (default 0.05). */
  margin?: number
  maxTokens?: number
}

export function experienceAbCheck (init: ExperienceCheckInit): ExperienceCheck {
  const margin = init.margin ?? 0.05
  return async (body, options) => {
    const report = await evaluateLearning({
      runtime: init.runtime,
      grader: init.grader,
      tasks: init.tasks,
      seeds: init.seeds ?? [1],
      source: { relevant: async () => [{ cid: 'candidate', text: body.text, score: 1, domain: body.domain }] },
      ...(init.maxTokens != null ? { maxTokens: init.maxTokens } : {}),
      ...(options.signal != null ? { signal: options.signal } : {})
    })
    const delta = report.with.mean - report.without.mean
    const m = `reward ${fmt(report.with.mean)} with vs ${fmt(report.without.mean)} without on ${report.tasks} local task(s) × ${report.seeds.length} seed(s)`
    const result: CanaryReport = delta < -margin
      ? { pass: false, code: 'ab-harm', reason: `A/B check: the experience lowers held-out reward: ${m}` }
      : { pass: true, code: 'ab-pass', reason: `A/B check: no harm measured: ${m}` }
    return result
  }
}
