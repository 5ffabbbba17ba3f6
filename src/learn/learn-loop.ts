/**
 * `baobab learn`: training-free GRPO. Per epoch and batch of tasks: G rollouts per task with the
 * current experiences → grader rewards → groups with uniform reward skipped → stage 1 summaries
 * and stage 2 contrast into ≤ 3 operations → operations applied, then consolidation → checkpoint.
 * The model is never changed; only the experience library is.
 */
import { createHash } from 'node:crypto'
import { logger } from '@libp2p/logger'
import {
  DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DEFAULT_GROUP_SIZE, DEFAULT_ROLLOUT_MAX_TOKENS, DEFAULT_ROLLOUT_TEMPERATURE,
  DEFAULT_TOKEN_BUDGET, DEFAULT_TOP_K, GENERAL_DOMAIN, UNIFORM_REWARD_EPSILON
} from './constants.ts'
import { consolidate } from './consolidate.ts'
import { Checkpoints, emptyEpoch, runKey } from './checkpoint.ts'
import { InvalidLearnOptionsError } from './errors.ts'
import { experienceSource } from './experience-source.ts'
import { deriveSeed, runGroup, stdReward } from './rollouts.ts'
import { semanticAdvantage } from './semantic-advantage.ts'
import { loadTemplates, templateVersions } from './templates.ts'
import { createPrng, shuffled } from '../random/index.ts'
import type { EpochStats, RunState } from './checkpoint.ts'
import type { ExperienceStore, OpResult } from './experience-store.ts'
import type { Grader } from './graders.ts'
import type { GroupOps } from './semantic-advantage.ts'
import type { RolloutGroup } from './rollouts.ts'
import type { Task } from './tasks.ts'
import type { LlmRuntime } from '../runtime/index.ts'

const log = logger('baobab:learn:loop')

export type LearnProgress =
  | { type: 'learn:rollout', epoch: number, done: number, total: number }
  | { type: 'learn:batch', epoch: number, batch: number, batches: number, meanReward: number, ops: number }
  | { type: 'learn:epoch', epoch: number, meanReward: number, stats: EpochStats }
  | { type: 'learn:warning', message: string }

export interface LearnOptions {
  store: ExperienceStore
  runtime: LlmRuntime
  grader: Grader
  tasks: Task[]
  group?: number
  epochs?: number
  batchSize?: number
  seed?: number
  /** Domain for tasks that name none (default `general`). */
  domain?: string
  temperature?: number
  maxTokens?: number
  criticMaxTokens?: number
  k?: number
  tokenBudget?: number
  /** Forget any checkpoint of this run and start over. */
  restart?: boolean
  /** For ablations: compute the operations but do not apply them. */
  dryRun?: boolean
  signal?: AbortSignal
  onProgress?: (e: LearnProgress) => void
}

export interface EpochReport extends EpochStats {
  meanReward: number
}

export interface LearnReport {
  runKey: string
  /** True when an earlier interrupted run was continued. */
  resumed: boolean
  templates: string
  epochs: EpochReport[]
  warnings: string[]
  /** Active experiences in the domains trained on, after the run. */
  experiences: Array<{ cid: string, text: string, domain: string, confidence: number }>
}

function positiveInt (name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidLearnOptionsError(name, `must be an integer >= 1 (got ${v})`)
  return v
}

export async function learn (options: LearnOptions): Promise<LearnReport> {
  const { store, runtime, grader, signal } = options
  const group = positiveInt('group', options.group ?? DEFAULT_GROUP_SIZE)
  const epochs = positiveInt('epochs', options.epochs ?? DEFAULT_EPOCHS)
  const batchSize = positiveInt('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE)
  const seed = options.seed ?? 0
  if (group < 2) throw new InvalidLearnOptionsError('group', 'needs at least 2 rollouts to compare')
  const tasks = options.tasks.filter(t => t.split !== 'test')
  if (tasks.length === 0) throw new InvalidLearnOptionsError('tasks', 'no training tasks (all are split "test")')
  for (const t of tasks) {
    const why = grader.check(t)
    if (why != null) throw new InvalidLearnOptionsError('tasks', `task ${t.id} (line ${t.line}): ${why}`)
  }
  const templates = loadTemplates()
  const defaultDomain = options.domain ?? GENERAL_DOMAIN
  const domainOf = (t: Task): string => t.domain ?? defaultDomain
  const settings = {
    tasks: createHash('sha256').update(JSON.stringify(tasks.map(({ line: _l, ...t }) => t))).digest('hex'),
    grader: grader.name, group, epochs, batchSize, seed, domain: defaultDomain,
    runtime: `${runtime.provider}/${runtime.modelId}`, templates: templateVersions(templates),
    k: options.k ?? DEFAULT_TOP_K, tokenBudget: options.tokenBudget ?? DEFAULT_TOKEN_BUDGET, dryRun: options.dryRun === true
  }
  const key = runKey(settings)
  const checkpoints = new Checkpoints(store.library.db)
  if (options.restart === true) checkpoints.clear(key)
  const loaded = checkpoints.load(key)
  const state: RunState = loaded ?? { epochs: [], position: null, completed: false, warnings: [] }
  const resumed = loaded != null && loaded.position != null
  const warn = (message: string): void => {
    state.warnings.push(message)
    log('warning: %s', message)
    options.onProgress?.({ type: 'learn:warning', message })
  }
  const source = experienceSource(store.library, store.embedder, { self: store.self })
  const batches = Math.ceil(tasks.length / batchSize)
  for (let epoch = 1; epoch <= epochs && !state.completed; epoch++) {
    const stats = state.epochs.find(e => e.epoch === epoch) ?? (() => { const e = emptyEpoch(epoch); state.epochs.push(e); return e })()
    const order = shuffled(tasks, createPrng(deriveSeed(seed, 'epoch', epoch)))
    for (let b = 0; b < batches; b++) {
      if (Checkpoints.done(state, epoch, b)) continue
      const batch = order.slice(b * batchSize, (b + 1) * batchSize)
      const proposals: Array<{ group: RolloutGroup, result: GroupOps }> = []
      let rolled = 0
      for (const task of batch) {
        signal?.throwIfAborted()
        const g = await runGroup(task, {
          runtime, grader, source, domain: domainOf(task), group,
          seedOf: i => deriveSeed(seed, epoch, task.id, i),
          temperature: options.temperature ?? DEFAULT_ROLLOUT_TEMPERATURE,
          maxTokens: options.maxTokens ?? DEFAULT_ROLLOUT_MAX_TOKENS,
          k: settings.k, tokenBudget: settings.tokenBudget,
          solveTemplate: templates.solve,
          ...(signal != null ? { signal } : {}),
          onRollout: () => { options.onProgress?.({ type: 'learn:rollout', epoch, done: b * batchSize * group + ++rolled, total: tasks.length * group }) }
        })
        g.warnings.forEach(warn)
        stats.rollouts += g.rollouts.length
        stats.rewardSum += g.rollouts.reduce((s, r) => s + r.reward, 0)
        const rewards = g.rollouts.map(r => r.reward)
        if (rewards.length < 2 || Math.max(...rewards) - Math.min(...rewards) < UNIFORM_REWARD_EPSILON) {
          stats.skippedUniform++
          continue
        }
        stats.groups++
        const result = await semanticAdvantage(g, {
          runtime, templates, seed: deriveSeed(seed, epoch, task.id, 'critic'),
          ...(options.criticMaxTokens != null ? { maxTokens: options.criticMaxTokens } : {}),
          ...(signal != null ? { signal } : {})
        })
        result.warnings.forEach(warn)
        stats.retries += result.attempts - 1
        if (result.skipped) stats.skippedMalformed++
        else proposals.push({ group: g, result })
      }
      const applied = options.dryRun === true ? [] : await applyOps(store, proposals, warn, signal)
      for (const r of applied) stats.ops[r.op]++
      if (options.dryRun !== true) {
        const c = await consolidate(store, new Set(batch.map(domainOf)), signal != null ? { signal } : {})
        stats.merged += c.merged
        stats.dropped += c.dropped
      }
      state.position = { epoch, batch: b }
      checkpoints.save(key, settings, state)
      options.onProgress?.({ type: 'learn:batch', epoch, batch: b + 1, batches, meanReward: mean(stats), ops: applied.filter(r => r.op !== 'NONE').length })
    }
    options.onProgress?.({ type: 'learn:epoch', epoch, meanReward: mean(stats), stats })
    if (epoch === epochs) {
      state.completed = true
      checkpoints.save(key, settings, state)
    }
  }
  const domains = new Set(tasks.map(domainOf))
  return {
    runKey: key,
    resumed,
    templates: settings.templates,
    epochs: state.epochs.map(e => ({ ...e, meanReward: mean(e) })),
    warnings: state.warnings,
    experiences: store.active().filter(v => domains.has(v.domain)).map(v => ({ cid: v.cid, text: v.text, domain: v.domain, confidence: v.confidence }))
  }
}

function mean (s: EpochStats): number {
  return s.rollouts === 0 ? 0 : s.rewardSum / s.rollouts
}

async function applyOps (
  store: ExperienceStore, proposals: Array<{ group: RolloutGroup, result: GroupOps }>, warn: (m: string) => void, signal?: AbortSignal
): Promise<OpResult[]> {
  const out: OpResult[] = []
  for (const { group, result } of proposals) {
    const rewards = group.rollouts.map(r => r.reward)
    const evidence = { groups: 1, meanReward: rewards.reduce((s, r) => s + r, 0) / rewards.length }
    const confidence = Math.min(0.9, 0.5 + stdReward(group.rollouts))
    const base = { origin: 'learn' as const, reason: `task ${group.task.id}`, ...(signal != null ? { signal } : {}) }
    for (const op of result.ops) {
      try {
        if (op.op === 'NONE') out.push({ op: 'NONE', replaced: [] })
        else if (op.op === 'ADD') out.push(await store.add({ text: op.text, domain: group.domain, confidence, evidence }, base))
        else if (op.op === 'UPDATE') out.push(await store.update(op.cid!, { text: op.text, evidence }, base))
        else out.push(await store.remove(op.cid!, { ...base, reason: op.reason }))
      } catch (err) {
        const name = (err as Error).name
        if (!['ExperienceNotFoundError', 'InvalidExperienceError', 'PromptInjectionError'].includes(name)) throw err
        warn(`task ${group.task.id}: ${op.op} not applied: ${(err as Error).message}`)
      }
    }
  }
  return out
}
