/**
 * Training-free GRPO's semantic advantage for one group: stage 1 summarises every rollout, stage 2
 * contrasts high- and low-reward rollouts into at most 3 library operations (JSON, validated,
 * retried once when malformed, then skipped with a warning).
 */
import { logger } from '@libp2p/logger'
import { DEFAULT_CRITIC_MAX_TOKENS, MAX_OPS_PER_GROUP } from './constants.ts'
import { parseOps } from './ops.ts'
import { render } from './templates.ts'
import type { ProposedOp } from './ops.ts'
import type { RolloutGroup } from './rollouts.ts'
import type { Template, TemplateName } from './templates.ts'
import type { LlmRuntime } from '../runtime/index.ts'

const log = logger('baobab:learn:advantage')

export interface GroupOps {
  /** Operations with experience ids already mapped to CIDs. */
  ops: Array<ProposedOp & { cid?: string }>
  summaries: string[]
  warnings: string[]
  /** Stage-2 attempts made (1, or 2 after a malformed reply). */
  attempts: number
  skipped: boolean
}

export interface AdvantageOptions {
  runtime: LlmRuntime
  templates: Record<TemplateName, Template>
  seed: number
  maxTokens?: number
  maxOps?: number
  signal?: AbortSignal
}

function referenceLine (group: RolloutGroup): string {
  const t = group.task
  const ref = t.answer ?? t.answers?.join(' | ') ?? t.keywords?.join(', ') ?? t.pattern
  return ref === undefined ? '' : `Reference answer: ${String(ref)}`
}

async function ask (runtime: LlmRuntime, content: string, options: AdvantageOptions, seed: number): Promise<string> {
  const r = await runtime.doGenerate({
    messages: [{ role: 'user', content }],
    temperature: 0,
    seed,
    maxTokens: options.maxTokens ?? DEFAULT_CRITIC_MAX_TOKENS,
    ...(options.signal != null ? { signal: options.signal } : {})
  })
  return r.text
}

export async function semanticAdvantage (group: RolloutGroup, options: AdvantageOptions): Promise<GroupOps> {
  const { runtime, templates } = options
  const warnings: string[] = []
  const ref = referenceLine(group)
  // stage 1: one summary per rollout
  const summaries: string[] = []
  for (const r of group.rollouts) {
    options.signal?.throwIfAborted()
    const prompt = render(templates.summarize, {
      question: group.task.question, referenceLine: ref, output: r.output.slice(0, 4000), reward: r.reward.toFixed(2)
    })
    const s = (await ask(runtime, prompt, options, options.seed + r.index)).replace(/\s+/g, ' ').trim().slice(0, 600)
    summaries.push(s === '' ? '(no summary)' : s)
  }
  // stage 2: contrast, best first
  const order = group.rollouts.map((r, i) => ({ r, s: summaries[i]! })).sort((a, b) => b.r.reward - a.r.reward || a.r.index - b.r.index)
  const attempts = order.map(({ r, s }, i) => `A${i + 1} (reward ${r.reward.toFixed(2)}): ${s}`).join('\n')
  const idToCid = new Map(group.experiences.map((e, i) => [`E${i + 1}`, e.cid]))
  const experiences = group.experiences.length === 0 ? '(none yet)' : group.experiences.map((e, i) => `E${i + 1}: ${e.text}`).join('\n')
  const maxOps = options.maxOps ?? MAX_OPS_PER_GROUP
  let prompt = render(templates.contrast, { question: group.task.question, referenceLine: ref, attempts, experiences, maxOps })
  for (let attempt = 1; attempt <= 2; attempt++) {
    options.signal?.throwIfAborted()
    const out = await ask(runtime, prompt, options, options.seed + 1000 + attempt)
    try {
      const parsed = parseOps(out, { ids: new Set(idToCid.keys()), maxOps })
      warnings.push(...parsed.warnings.map(w => `task ${group.task.id}: ${w}`))
      const ops = parsed.ops.map(op => ('id' in op ? { ...op, cid: idToCid.get(op.id)! } : op))
      return { ops, summaries, warnings, attempts: attempt, skipped: false }
    } catch (err) {
      if ((err as Error).name !== 'MalformedOpsError') throw err
      log('task %s: stage 2 reply malformed (attempt %d): %s', group.task.id, attempt, (err as Error).message)
      if (attempt === 2) {
        warnings.push(`task ${group.task.id}: stage 2 output malformed twice (${(err as Error).message}); group skipped`)
        return { ops: [], summaries, warnings, attempts: attempt, skipped: true }
      }
      prompt = `${prompt}\n\nYour previous reply could not be used: ${(err as Error).message}. Reply with the JSON object only.`
    }
  }
  return { ops: [], summaries, warnings, attempts: 2, skipped: true }
}
