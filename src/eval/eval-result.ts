/**
 * The eval-result file a Baobab eval run writes, and the packet input made from it, so a packet is
 * backed by a measurement the node made itself:
 *
 * ```json
 * { "format": "baobab-eval-result/1",
 *   "family": "qwen2.5-0.5b", "task": "clinical note summarisation", "tags": ["medical", "english"],
 *   "benchmark": "rouge-l", "baseline": 0.312, "score": 0.371, "nEval": 500,
 *   "method": "lora", "params": { "r": 16, "alpha": 32, "lr": 0.0002 },
 *   "dataScale": "m", "heldOut": true }
 * ```
 * Optional: `confidence` (else computed, see `measuredConfidence`), `delta` (checked against
 * score − baseline). Other fields (per-item results, timings) are allowed and ignored.
 */
import { readFile } from 'node:fs/promises'
import { InvalidEvalResultError, measuredConfidence } from '../outcomes/index.ts'
import type { DataScale, OutcomeInput } from '../outcomes/index.ts'

export const EVAL_RESULT_FORMAT = 'baobab-eval-result/1'

export interface EvalResult {
  format?: string
  family: string
  task: string
  tags: string[]
  benchmark: string
  baseline: number
  score: number
  nEval: number
  method: string
  params: Record<string, string | number | boolean>
  dataScale: DataScale
  heldOut: boolean
  confidence?: number
  delta?: number
}

const REQUIRED = ['family', 'task', 'tags', 'benchmark', 'baseline', 'score', 'nEval', 'method', 'params', 'dataScale', 'heldOut'] as const

/** Checks an eval-result object and turns it into packet input (field types are re-checked by the builder). */
export function evalResultToInput (value: unknown, path = '<eval result>'): OutcomeInput {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidEvalResultError(path, 'is not a JSON object')
  const r = value as Record<string, unknown>
  if (r.format !== undefined && r.format !== EVAL_RESULT_FORMAT) {
    throw new InvalidEvalResultError(path, `format is ${JSON.stringify(r.format)}; this node reads ${EVAL_RESULT_FORMAT}`, 'format')
  }
  for (const f of REQUIRED) if (r[f] === undefined) throw new InvalidEvalResultError(path, `missing field "${f}"`, f)
  for (const f of ['baseline', 'score', 'nEval'] as const) {
    if (typeof r[f] !== 'number' || !Number.isFinite(r[f])) throw new InvalidEvalResultError(path, `field "${f}" must be a finite number`, f)
  }
  if (!Number.isSafeInteger(r.nEval) || (r.nEval as number) < 1) throw new InvalidEvalResultError(path, 'field "nEval" must be an integer ≥ 1', 'nEval')
  if (typeof r.heldOut !== 'boolean') throw new InvalidEvalResultError(path, 'field "heldOut" must be true or false', 'heldOut')
  const confidence = r.confidence !== undefined
    ? r.confidence as number
    : measuredConfidence(r.baseline as number, r.score as number, r.nEval as number, r.heldOut)
  return {
    family: r.family as string,
    task: r.task as string,
    tags: r.tags as string[],
    benchmark: r.benchmark as string,
    baseline: r.baseline as number,
    score: r.score as number,
    delta: r.delta as number | undefined,
    method: r.method as string,
    params: r.params as Record<string, unknown>,
    dataScale: r.dataScale as DataScale,
    heldOut: r.heldOut,
    nEval: r.nEval as number,
    confidence
  }
}

/** Reads and checks an eval-result file. */
export async function readEvalResult (path: string): Promise<OutcomeInput> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new InvalidEvalResultError(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, undefined, { cause: err })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new InvalidEvalResultError(path, 'is not valid JSON', undefined, { cause: err })
  }
  return evalResultToInput(value, path)
}
