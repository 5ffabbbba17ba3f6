/**
 * Adapter canary: run unrelated probe prompts through the local model with and without the
 * adapter and reject what a broken or backdoored adapter shows:
 * - NaN/∞ in the next-token distribution;
 * - output that no longer depends on the prompt: the adapter's distributions across probes
 *   diverge from each other less than a quarter as much as the base's do (a forced output);
 * - repeated-token collapse: greedy continuations repeat the previous token ≥ 60% of the time,
 *   30 points more often than the base does;
 * - a huge shift on unrelated probes: mean KL(base‖adapter) above 3× the base's own
 *   cross-probe KL (scale-free: "more than changing the prompt entirely"), capped at 8 nats.
 * Base-model measurements are computed once per canary and reused; results are cached by key.
 */
import { logger } from '@libp2p/logger'
import {
  CANARY_KL_ABSOLUTE, CANARY_KL_RELATIVE, CANARY_MAX_REPEAT, CANARY_MIN_DIVERSITY, CANARY_PROBES, CANARY_REPEAT_MARGIN,
  CANARY_STEPS
} from './constants.ts'
import { CanaryFailedError } from './errors.ts'
import { fmt } from './screen-report.ts'
import type { AdapterSpec, TokenDistribution, TokenDistributionSource } from '../runtime/index.ts'

const log = logger('baobab:trust:canary')

export interface CanaryMetrics {
  probes: number
  meanKl: number
  klLimit: number
  diversity: number
  baseDiversity: number
  repeat: number
  baseRepeat: number
}

export interface CanaryReport {
  pass: boolean
  /** `canary-pass`, `canary-nan`, `canary-collapse`, `canary-repeat`, `canary-kl`, `canary-refused`. */
  code: string
  reason: string
  metrics?: CanaryMetrics
}

export interface AdapterCanary {
  /** Which model judged (recorded in votes). */
  readonly id: string
  check(loraPath: string, options?: { signal?: AbortSignal, cacheKey?: string }): Promise<CanaryReport>
}

export interface ModelCanaryInit {
  id?: string
  probes?: readonly string[]
  steps?: number
  /** Canary results kept by cache key (default 256). */
  cacheSize?: number
}

interface Run {
  dists: Float64Array[]
  repeat: number
}

function toLogProbs (d: TokenDistribution): { logp: Float64Array, finite: boolean } {
  const logp = new Float64Array(d.logProbabilities.length)
  let finite = true
  for (let i = 0; i < logp.length; i++) {
    const p = d.probabilities[i] as number
    if (Number.isNaN(p) || p === Infinity || Number.isNaN(d.logProbabilities[i] as number)) finite = false
    logp[i] = d.logProbabilities[i] as number
  }
  return { logp, finite }
}

/** KL(p‖q) from natural-log probabilities; q's zeros are floored at e^−69. */
export function klFromLogs (p: Float64Array, q: Float64Array): number {
  let kl = 0
  const n = Math.min(p.length, q.length)
  for (let i = 0; i < n; i++) {
    const lp = p[i] as number
    if (lp === -Infinity) continue
    const lq = Math.max(q[i] as number, -69)
    kl += Math.exp(lp) * (lp - lq)
  }
  return Math.max(0, kl)
}

function crossDivergence (dists: Float64Array[]): number {
  let sum = 0
  let n = 0
  for (let i = 0; i < dists.length; i++) {
    for (let j = 0; j < dists.length; j++) {
      if (i === j) continue
      sum += klFromLogs(dists[i] as Float64Array, dists[j] as Float64Array)
      n++
    }
  }
  return n === 0 ? 0 : sum / n
}

class NonFiniteOutput extends Error {}

class ModelCanary implements AdapterCanary {
  readonly id: string
  private readonly source: TokenDistributionSource
  private readonly probes: readonly string[]
  private readonly steps: number
  private readonly cacheSize: number
  private base: Promise<Run> | undefined
  private readonly cache = new Map<string, CanaryReport>()

  constructor (source: TokenDistributionSource, init: ModelCanaryInit) {
    this.source = source
    this.id = init.id ?? 'llama'
    this.probes = init.probes ?? CANARY_PROBES
    this.steps = init.steps ?? CANARY_STEPS
    this.cacheSize = init.cacheSize ?? 256
    if (this.probes.length < 2) throw new RangeError('a canary needs at least two probes')
  }

  private async run (adapters: AdapterSpec[], signal?: AbortSignal): Promise<Run> {
    const dists: Float64Array[] = []
    let repeats = 0
    let steps = 0
    for (const probe of this.probes) {
      signal?.throwIfAborted()
      let prompt = probe
      let prev: number | undefined
      for (let s = 0; s <= this.steps; s++) {
        const d = await this.source.nextTokenDistribution(prompt, { adapters, topK: 1, ...(signal != null ? { signal } : {}) })
        const { logp, finite } = toLogProbs(d)
        if (!finite) throw new NonFiniteOutput(`probe "${probe}" step ${s}`)
        if (s === 0) dists.push(logp)
        const top = d.top[0]
        if (top == null) break
        if (prev != null) { steps++; if (top.token === prev) repeats++ }
        prev = top.token
        prompt += top.text
      }
    }
    return { dists, repeat: steps === 0 ? 0 : repeats / steps }
  }

  private async baseRun (signal?: AbortSignal): Promise<Run> {
    this.base ??= this.run([], signal).catch(err => {
      this.base = undefined
      throw new CanaryFailedError(`the base model failed on the probes: ${(err as Error).message}`, undefined, { cause: err })
    })
    return this.base
  }

  async check (loraPath: string, options: { signal?: AbortSignal, cacheKey?: string } = {}): Promise<CanaryReport> {
    const cached = options.cacheKey != null ? this.cache.get(options.cacheKey) : undefined
    if (cached != null) return cached
    const base = await this.baseRun(options.signal)
    let report: CanaryReport
    try {
      const run = await this.run([{ name: 'canary', path: loraPath }], options.signal)
      report = judge(base, run)
    } catch (err) {
      if (options.signal?.aborted === true) throw err
      if (err instanceof NonFiniteOutput) {
        report = { pass: false, code: 'canary-nan', reason: `canary: non-finite next-token probabilities (${err.message})` }
      } else {
        const e = err as Error
        report = { pass: false, code: 'canary-refused', reason: `canary: the runtime refused the adapter: ${e.name}: ${e.message}` }
      }
    }
    log('canary %s: %s', options.cacheKey ?? loraPath, report.reason)
    if (options.cacheKey != null) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string)
      this.cache.set(options.cacheKey, report)
    }
    return report
  }
}

function judge (base: Run, run: Run): CanaryReport {
  const kls = run.dists.map((d, i) => klFromLogs(base.dists[i] as Float64Array, d))
  const meanKl = kls.reduce((a, b) => a + b, 0) / kls.length
  const baseDiversity = crossDivergence(base.dists)
  const diversity = crossDivergence(run.dists)
  const klLimit = Math.min(CANARY_KL_ABSOLUTE, CANARY_KL_RELATIVE * baseDiversity)
  const metrics: CanaryMetrics = { probes: kls.length, meanKl, klLimit, diversity, baseDiversity, repeat: run.repeat, baseRepeat: base.repeat }
  const m = `mean KL ${fmt(meanKl)} (limit ${fmt(klLimit)}), prompt dependence ${fmt(diversity)} vs base ${fmt(baseDiversity)}, repeats ${fmt(run.repeat)} vs base ${fmt(base.repeat)}`
  if (diversity < CANARY_MIN_DIVERSITY * baseDiversity) {
    return { pass: false, code: 'canary-collapse', reason: `canary: output no longer depends on the prompt: ${m}`, metrics }
  }
  if (run.repeat >= CANARY_MAX_REPEAT && run.repeat >= base.repeat + CANARY_REPEAT_MARGIN) {
    return { pass: false, code: 'canary-repeat', reason: `canary: repeated-token collapse: ${m}`, metrics }
  }
  if (meanKl > klLimit) {
    return { pass: false, code: 'canary-kl', reason: `canary: shifts unrelated prompts more than changing the prompt does: ${m}`, metrics }
  }
  return { pass: true, code: 'canary-pass', reason: `canary passed on ${kls.length} probes: ${m}`, metrics }
}

/** A canary on a runtime that exposes next-token distributions (the llama runtime). */
export function modelCanary (source: TokenDistributionSource, init: ModelCanaryInit = {}): AdapterCanary {
  return new ModelCanary(source, init)
}
