/**
 * The recall evaluation: for each question set and each condition, a fresh node (temporary home,
 * mesh off) is given the condition's library and answers every question through the real answer
 * path (`node.ask`: route → knowledge → experiences → runtime); answers are scored by keyword
 * recall. One runtime instance serves every node, so a model is loaded once. The caller gives the
 * node factory (`makeNode`: `createNode`), so the evaluation needs nothing above its layer.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { DEFAULT_CONFIG } from '../../config.ts'
import { createRuntime } from '../../runtime/index.ts'
import { TINY_MODEL } from '../../adapters/index.ts'
import { CONDITION_LABELS, seedCondition } from './conditions.ts'
import { loadRecallData, missingDataReason, verbatimCount } from './data.ts'
import { InvalidEvalOptionError } from '../errors.ts'
import { prepareLoras } from './lora.ts'
import { keywordRecall, summariseRecall } from './metric.ts'
import { referenceTable } from './reference.ts'
import { recallCaveats } from './caveats.ts'
import type { ConditionId } from './conditions.ts'
import type { RecallSet } from './data.ts'
import type { LoraSet } from './lora.ts'
import type { RecallEvalOptions, RecallEvalResult, RecallItem, RecallNode, ConditionReport, SetReport } from './types.ts'
import type { RuntimeConfig } from '../../config.ts'
import type { LlmRuntime } from '../../runtime/index.ts'

export const RECALL_FORMAT = 'baobab-recall-eval/1'
const METRIC = 'keyword recall in percent: per question = |expected keywords found as case-insensitive substrings of the answer| / |expected keywords|; domain = mean over its questions; overall = mean of the domain means'

/** 'tiny' names the bundled tiny model; anything else is a path. */
export function resolveModel (model: string | undefined): string | undefined {
  return model === 'tiny' ? TINY_MODEL : model
}

const isTinyModel = (model: string | undefined): boolean => model != null && basename(model) === basename(TINY_MODEL)

/** A runtime that ignores `close()`, so each condition's node can stop without closing the shared one. */
function borrowed (rt: LlmRuntime): LlmRuntime {
  return {
    specificationVersion: rt.specificationVersion,
    provider: rt.provider,
    modelId: rt.modelId,
    doGenerate: async o => rt.doGenerate(o),
    doStream: async o => rt.doStream(o),
    close: async () => {}
  }
}

function loraSource (options: RecallEvalOptions, runtime: RuntimeConfig): string | null {
  const given = options.lora ?? (runtime.kind === 'llama' && isTinyModel(runtime.model) ? 'synthetic' : 'none')
  if (given === 'none') return null
  if (runtime.kind !== 'llama') throw new InvalidEvalOptionError('--lora', 'LoRA conditions need the llama runtime (--runtime llama --model <gguf>)')
  if (given === 'synthetic' && !isTinyModel(runtime.model)) throw new InvalidEvalOptionError('--lora', 'synthetic LoRAs are shaped for the bundled tiny model only; pass a folder of <domain>.gguf LoRAs for this model')
  return given
}

async function answerSet (node: RecallNode, set: RecallSet, options: RecallEvalOptions, tick: () => void): Promise<RecallItem[]> {
  const items: RecallItem[] = []
  for (const q of set.questions) {
    const a = await node.ask([{ role: 'user', content: q.question }], {
      ...(options.maxTokens != null ? { maxTokens: options.maxTokens } : {}),
      ...(options.temperature != null ? { temperature: options.temperature } : {}),
      ...(options.seed != null ? { seed: options.seed } : {}),
      ...(options.signal != null ? { signal: options.signal } : {})
    })
    const text = a.result.text
    const score = await keywordRecall(text, q.keywords, options.signal != null ? { signal: options.signal } : {})
    items.push({
      id: q.id,
      domain: q.domain,
      recall: score.recall,
      found: score.found.length,
      keywords: q.keywords.length,
      missing: score.missing,
      expert: a.expert == null ? null : { name: a.expert.name, domain: a.expert.domain },
      reason: a.decision.reasonCode,
      lora: a.knowledge?.loraPath != null,
      answerChars: text.length,
      ...(options.keepAnswers === true ? { answer: text } : {})
    })
    tick()
  }
  return items
}

function conditionReport (id: ConditionId, set: RecallSet, library: ConditionReport['library'], items: RecallItem[]): ConditionReport {
  const summary = summariseRecall(items, set.domains)
  const own = items.filter(i => i.expert != null && i.expert.domain === i.domain).length
  const abstained = items.filter(i => i.expert == null).length
  return {
    id,
    label: CONDITION_LABELS[id],
    library,
    overall: summary.overall,
    perDomain: summary.perDomain,
    routing: { ownDomain: own, otherExpert: items.length - own - abstained, noExpert: abstained },
    items
  }
}

/** Runs the evaluation, or explains why it was skipped (no data folder). */
export async function runRecallEval (options: RecallEvalOptions): Promise<RecallEvalResult> {
  const started = Date.now()
  const skip = missingDataReason(options.dataDir)
  if (skip != null) return { skipped: skip }
  const runtimeConfig: RuntimeConfig = options.runtime ?? { kind: 'retrieval' }
  const lora = loraSource(options, runtimeConfig)
  const data = loadRecallData(options.dataDir, options.sets != null ? { sets: options.sets } : {})
  const conditions: ConditionId[] = ['routed', 'pooled', 'none', ...(lora != null ? ['routed-lora', 'merged-lora'] as const : [])]
  const total = data.sets.reduce((n, s) => n + s.questions.length, 0) * conditions.length
  let done = 0
  const tick = (): void => { done++; options.onProgress?.({ type: 'recall:answer', done, total }) }
  const workDir = mkdtempSync(join(options.workDir ?? tmpdir(), 'baobab-recall-'))
  const runtime = options.runtimeInstance ?? createRuntime(runtimeConfig)
  const config = { ...structuredClone(DEFAULT_CONFIG), listen: [], mdns: false, runtime: runtimeConfig }
  let embedder = ''
  const sets: SetReport[] = []
  const loraInfo: Record<string, LoraSet> = {}
  try {
    for (const set of data.sets) {
      const loras = lora == null
        ? null
        : await prepareLoras({
          source: lora, domains: set.domains, workDir,
          ...(options.mergeMethod != null ? { mergeMethod: options.mergeMethod } : {}), ...(options.signal != null ? { signal: options.signal } : {})
        })
      if (loras != null) loraInfo[set.name] = loras
      const reports: ConditionReport[] = []
      for (const id of conditions) {
        const home = mkdtempSync(join(workDir, `${set.name}-${id}-`))
        const node = await options.makeNode({ home, config, mesh: false, runtime: borrowed(runtime) })
        try {
          embedder = `${node.embedder.provider}:${node.embedder.modelId}`
          const library = await seedCondition(node, id, set, loras)
          await node.start()
          reports.push(conditionReport(id, set, library, await answerSet(node, set, options, tick)))
        } finally {
          await node.stop()
        }
      }
      const ceilingItems = []
      for (const q of set.questions) {
        const expert = set.experts.find(e => e.domain === q.domain)!
        const text = expert.exemplars.map(x => `${x.q}\n${x.a ?? ''}`).join('\n')
        ceilingItems.push({ domain: q.domain, recall: (await keywordRecall(text, q.keywords)).recall })
      }
      const ceiling = summariseRecall(ceilingItems, set.domains)
      sets.push({
        set: set.name, domains: set.domains, questions: set.questions.length, verbatim: verbatimCount(set),
        ceiling: { overall: ceiling.overall, perDomain: ceiling.perDomain }, conditions: reports
      })
    }
  } finally {
    if (options.runtimeInstance == null) await runtime.close()
    rmSync(workDir, { recursive: true, force: true })
  }
  const runtimeInfo = {
    kind: runtimeConfig.kind,
    model: runtimeConfig.model != null ? basename(runtimeConfig.model) : null,
    provider: runtime.provider,
    tinyModel: runtimeConfig.kind === 'llama' && isTinyModel(runtimeConfig.model)
  }
  const loraReport = lora == null
    ? null
    : {
        source: lora === 'synthetic' ? 'synthetic' : basename(lora),
        mergeMethod: Object.values(loraInfo)[0]?.mergeMethod ?? 'ties',
        retention: Object.fromEntries(Object.entries(loraInfo).map(([s, l]) => [s, l.retention]))
      }
  const report = {
    format: RECALL_FORMAT,
    created: new Date().toISOString(),
    data: basename(options.dataDir),
    runtime: runtimeInfo,
    embedder,
    generation: { maxTokens: options.maxTokens ?? null, temperature: options.temperature ?? null, seed: options.seed ?? null },
    metric: METRIC,
    sets,
    lora: loraReport,
    reference: referenceTable(data.results, data.sets.map(s => s.name)),
    caveats: [] as string[],
    durationMs: Date.now() - started
  }
  report.caveats = recallCaveats(report)
  return report
}
