/**
 * The checks this node runs on what peers send, from its configuration: the adapter canary when
 * the runtime is a local llama model (next-token distributions with and without the adapter),
 * the experience A/B check when a model runs and `checks.tasks` names a task file, and outcome
 * reproduction of recall-evaluation claims when a model runs and `checks.evalData` holds the
 * evaluation's data. What cannot run says why; trust shows that reason in held decisions and in
 * `trust status`.
 */
import { existsSync } from 'node:fs'
import { BUILTIN_GRADERS, loadGrader, readTasks } from '../learn/index.ts'
import { isDistributionSource } from '../runtime/index.ts'
import { InvalidTrustConfigError, modelCanary } from '../trust/index.ts'
import {
  RECALL_BENCHMARK, RECALL_TASK, experienceAbCheck, loadRecallData, missingDataReason, recallFamily, recallOutcomeFile, runRecallEval
} from '../eval/index.ts'
import type { NodeConfig, RuntimeConfig } from '../config.ts'
import type { OutcomeBody } from '../artifacts/index.ts'
import type { LlmRuntime } from '../runtime/index.ts'
import type { AdapterCanary, ExperienceCheck, LocalCheckName, OutcomeReproducer } from '../trust/index.ts'

export interface NodeChecks {
  canary?: AdapterCanary
  experienceCheck?: ExperienceCheck
  reproduceOutcome?: OutcomeReproducer
  /** What runs each present check. */
  runBy: Partial<Record<LocalCheckName, string>>
  /** Why each absent check cannot run here. */
  unavailable: Partial<Record<LocalCheckName, string>>
}

/** Can this runtime run a model (a local GGUF or an OpenAI-compatible server)? */
function runsModel (runtime: LlmRuntime): boolean {
  return runtime.provider === 'llama' || runtime.provider === 'openai'
}

function modelName (runtime: LlmRuntime): string {
  return `${runtime.provider}:${runtime.modelId}`
}

export async function nodeChecks (config: NodeConfig, runtime: LlmRuntime): Promise<NodeChecks> {
  const out: NodeChecks = { runBy: {}, unavailable: {} }
  const model = runsModel(runtime)
  const noModel = `the runtime is ${runtime.provider}, not a model`

  if (isDistributionSource(runtime)) {
    out.canary = modelCanary(runtime, { id: modelName(runtime) })
    out.runBy.canary = out.canary.id
  } else {
    out.unavailable.canary = runtime.provider === 'openai'
      ? 'no local model to run the canary (an OpenAI-compatible server cannot be asked for next-token distributions with a received adapter)'
      : `no local model to run the canary (${noModel})`
  }

  const tasksFile = config.checks?.tasks
  if (!model) out.unavailable.experience = `no local model to run the A/B check (${noModel})`
  else if (tasksFile == null) out.unavailable.experience = 'no task set for the A/B check (set checks.tasks in config.json)'
  else {
    const graderName = config.checks?.grader ?? 'exact'
    if (!(BUILTIN_GRADERS as readonly string[]).includes(graderName)) throw new InvalidTrustConfigError('checks.grader', `must be one of ${BUILTIN_GRADERS.join(', ')}`)
    if (!existsSync(tasksFile)) throw new InvalidTrustConfigError('checks.tasks', `${tasksFile} does not exist`)
    const tasks = readTasks(tasksFile)
    out.experienceCheck = experienceAbCheck({ runtime, grader: await loadGrader(graderName), tasks })
    out.runBy.experience = `${modelName(runtime)} on ${tasks.length} task(s) of ${tasksFile} (${graderName} grader)`
  }

  const dataDir = config.checks?.evalData
  const missing = dataDir == null ? 'set checks.evalData in config.json' : missingDataReason(dataDir)
  if (!model) out.unavailable.reproduction = `no local model to reproduce outcomes (${noModel})`
  else if (missing != null || dataDir == null) out.unavailable.reproduction = `no evaluation data to reproduce outcomes (${missing ?? ''})`
  else {
    out.reproduceOutcome = recallReproducer(dataDir, config.runtime, runtime)
    out.runBy.reproduction = `the recall evaluation on ${dataDir} (${RECALL_BENCHMARK} claims of family retrieval or ${recallFamily(config.runtime.kind, config.runtime.model)})`
  }
  return out
}

/**
 * Reproduces recall-evaluation claims by running the evaluation here, on the sets the claim
 * names, with the runtime it names (retrieval, or this node's own model). One run per
 * (family, sets, method): its measurement answers every claim about the same configuration.
 * Claims about anything else return undefined (this node cannot measure them).
 */
function recallReproducer (dataDir: string, own: RuntimeConfig, runtime: LlmRuntime): OutcomeReproducer {
  const known = new Set(loadRecallData(dataDir).sets.map(s => s.name))
  const runs = new Map<string, Promise<{ measuredDelta: number, nEval: number } | undefined>>()
  const ownFamily = recallFamily(own.kind, own.model)
  return async (body: OutcomeBody, options) => {
    if (body.task !== RECALL_TASK || body.benchmark !== RECALL_BENCHMARK) return undefined
    const sets = body.tags.filter(t => known.has(t)).sort()
    if (sets.length === 0) return undefined
    let use: { runtime: RuntimeConfig, instance?: LlmRuntime }
    if (body.family === 'retrieval') use = { runtime: { kind: 'retrieval' } }
    else if (own.kind === 'llama' && body.family === ownFamily) use = { runtime: own, instance: runtime }
    else return undefined
    const key = `${body.family}|${sets.join(',')}|${body.method}`
    let run = runs.get(key)
    if (run == null) {
      run = measure(dataDir, sets, use, body.method === 'lora', options.signal)
      runs.set(key, run)
      run.catch(() => { runs.delete(key) })
    }
    return run
  }
}

async function measure (
  dataDir: string, sets: string[], use: { runtime: RuntimeConfig, instance?: LlmRuntime }, lora: boolean, signal?: AbortSignal
): Promise<{ measuredDelta: number, nEval: number } | undefined> {
  // loaded when first needed (createNode builds a node's checks, so it cannot be imported up front)
  const { createNode } = await import('./index.ts')
  const report = await runRecallEval({
    dataDir,
    makeNode: createNode,
    sets,
    runtime: use.runtime,
    ...(use.instance != null ? { runtimeInstance: use.instance } : {}),
    ...(lora ? {} : { lora: 'none' }),
    ...(signal != null ? { signal } : {})
  })
  if ('skipped' in report) return undefined
  const file = recallOutcomeFile(report)
  return { measuredDelta: file.score - file.baseline, nEval: file.nEval }
}
