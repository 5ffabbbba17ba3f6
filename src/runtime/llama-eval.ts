/**
 * Low-level evaluation helpers for the llama runtime: reuse of the cached prompt prefix,
 * sampling options, next-token distributions, abortable waits.
 */
import type { LlamaModel, Token } from 'node-llama-cpp'
import { DEFAULT_TEMPERATURE } from './constants.ts'
import { ModelLoadError } from './errors.ts'
import type { PoolLease } from './llama-pool.ts'
import type { GenerateOptions, TokenDistribution } from './types.ts'

/** Drops cached state after the shared prefix; returns how many prompt tokens are already evaluated. */
export async function alignSequence (lease: PoolLease, tokens: Token[]): Promise<number> {
  const seq = lease.sequence
  const { firstDifferentIndex } = seq.compareContextTokens(tokens)
  const keep = Math.min(firstDifferentIndex, tokens.length - 1)
  if (seq.nextTokenIndex > keep) await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }])
  return keep
}

export function samplingOptions (options: GenerateOptions): { temperature: number, seed?: number, topK?: number, topP?: number, minP?: number } {
  const out: { temperature: number, seed?: number, topK?: number, topP?: number, minP?: number } = {
    temperature: options.temperature ?? DEFAULT_TEMPERATURE
  }
  if (options.seed != null) out.seed = options.seed
  const ro = options.runtimeOptions ?? {}
  for (const k of ['topK', 'topP', 'minP'] as const) {
    const v = ro[k]
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v
  }
  return out
}

export async function abortable<T> (p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal == null) return p
  signal.throwIfAborted()
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    if (onAbort != null) signal.removeEventListener('abort', onAbort)
  }
}

/** Evaluates `tokens` in the leased sequence and reads the full next-token softmax (temperature 1). */
export async function readDistribution (lease: PoolLease, model: LlamaModel, tokens: Token[], topK: number, modelPath: string): Promise<TokenDistribution> {
  const keep = await alignSequence(lease, tokens)
  const input = tokens.slice(keep).map((t, i, all) =>
    i === all.length - 1 ? [t, { generateNext: { probabilities: true } }] as [Token, { generateNext: { probabilities: true } }] : t)
  const out = await lease.sequence.controlledEvaluate(input)
  const probs = out.at(-1)?.next.probabilities
  if (probs == null) throw new ModelLoadError(modelPath, { cause: new Error('llama.cpp returned no probabilities') })
  let vocabSize = probs.size
  for (const t of probs.keys()) if (t >= vocabSize) vocabSize = t + 1
  const probabilities = new Float32Array(vocabSize)
  const logProbabilities = new Float32Array(vocabSize).fill(-Infinity)
  for (const [t, p] of probs) {
    probabilities[t] = p
    logProbabilities[t] = Math.log(p)
  }
  const top: TokenDistribution['top'] = []
  for (const [token, probability] of probs) {
    if (top.length >= topK) break
    top.push({ token, text: model.detokenize([token], true), probability })
  }
  return { promptTokens: tokens, vocabSize, probabilities, logProbabilities, top }
}
