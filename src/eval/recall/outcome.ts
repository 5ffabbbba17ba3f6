/**
 * The recall run as a `baobab-eval-result/1` file, so `baobab outcome from-eval <file>` publishes
 * an outcome packet backed by this measurement: score = routed experts, baseline = no expert,
 * as fractions (0..1), over every question of the sets that ran.
 */
import { basename } from 'node:path'
import { measuredConfidence } from '../../outcomes/index.ts'
import { EVAL_RESULT_FORMAT } from '../eval-result.ts'
import type { DataScale } from '../../outcomes/index.ts'
import type { EvalResult } from '../eval-result.ts'
import type { RecallReport } from './types.ts'

export interface RecallOutcomeFile extends EvalResult {
  format: string
  confidence: number
  /** Not read by the packet builder: the other conditions, for the record. */
  conditions: Record<string, number>
}

const mean = (xs: number[]): number => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length
const round = (x: number): number => Math.round(x * 1e4) / 1e4

function dataScale (pairs: number): DataScale {
  if (pairs < 100) return 'xs'
  if (pairs < 1000) return 's'
  if (pairs < 10_000) return 'm'
  if (pairs < 100_000) return 'l'
  return 'xl'
}

/** What a recall outcome packet names as its task and benchmark (a node reproduces these). */
export const RECALL_TASK = 'farm advisory q&a (gossip-handshake)'
export const RECALL_BENCHMARK = 'keyword-recall'

/** Family of the model that answered: the GGUF file name for llama, the runtime kind when no model ran. */
export function recallFamily (kind: string, model: string | null | undefined): string {
  if (kind === 'retrieval' || model == null) return kind
  return basename(model).replace(/\.gguf$/i, '').toLowerCase().slice(0, 32)
}

function family (r: RecallReport): string {
  return recallFamily(r.runtime.kind, r.runtime.model)
}

export function recallOutcomeFile (r: RecallReport): RecallOutcomeFile {
  const overall = (id: string): number => mean(r.sets.map(s => s.conditions.find(c => c.id === id)?.overall ?? 0)) / 100
  const useLora = r.sets.every(s => s.conditions.some(c => c.id === 'routed-lora'))
  const score = round(overall(useLora ? 'routed-lora' : 'routed'))
  const baseline = round(overall('none'))
  const nEval = r.sets.reduce((n, s) => n + s.questions, 0)
  const pairs = Math.max(0, ...r.sets.map(s => s.conditions.find(c => c.id === 'routed')?.library.exemplars ?? 0))
  const experts = Math.max(0, ...r.sets.map(s => s.domains.length))
  // Most eval questions are training instructions: not held out.
  const heldOut = false
  const conditions: Record<string, number> = {}
  for (const id of ['routed', 'pooled', 'none', 'routed-lora', 'merged-lora']) {
    if (r.sets.every(s => s.conditions.some(c => c.id === id))) conditions[id] = round(overall(id))
  }
  return {
    format: EVAL_RESULT_FORMAT,
    family: family(r),
    task: RECALL_TASK,
    tags: ['agriculture', ...r.sets.map(s => s.set)].slice(0, 6),
    benchmark: RECALL_BENCHMARK,
    baseline,
    score,
    nEval,
    method: useLora ? 'lora' : 'routing',
    params: {
      experts,
      runtime: r.runtime.kind,
      router: 'builtin-knn',
      ...(useLora ? { merged: conditions['merged-lora'] ?? 0 } : { pooled: conditions.pooled ?? 0 })
    },
    dataScale: dataScale(pairs),
    heldOut,
    confidence: measuredConfidence(baseline, score, nEval, heldOut),
    conditions
  }
}
