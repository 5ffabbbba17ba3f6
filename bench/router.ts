/**
 * Router figures.
 *
 * - embedP50Ms: built-in embedder, one question (the paraphrase fixture's real questions), as the
 *   router calls it (sparse result); embedDenseP50Ms: the same as a dense 65,536-float vector.
 * - routeP50Ms1000: one routing decision with 1000 synthetic experts × 16 exemplars (each indexed
 *   as question and question+answer), embedding excluded, vocabulary checks included; candidates
 *   picked by folded centroids, then exact kNN.
 * - Baselines in the same run: the same index scored exhaustively (no prefilter, exact kNN over
 *   all 32,000 items) and the plain TF-IDF max-similarity router over the same exemplars.
 *   prefilterAgreement: share of questions where the prefiltered and the exhaustive router make
 *   the same decision (same expert, or both abstain).
 * - Build and calibration time of the 1000-expert index, and the heap it takes.
 *
 * The switch figures (switchWarmP50Ms, switchColdP50Ms) come from bench/_router-switch.ts (run as part of this suite).
 */
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { createPrng } from '../src/random/index.ts'
import { hashEmbedder } from '../src/embedding/index.ts'
import { loadParaphrases, tfidfRouter } from '../src/eval/index.ts'
import { Router } from '../src/router/index.ts'
import type { ExpertInput } from '../src/router/index.ts'
import { run as expertSwitch } from './_router-switch.ts'

const N_EXPERTS = 1000
const PER_EXPERT = 16
const N_QUERIES = 400

function quantile (xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
}

const COMMON = 'the soil water plant farm field crop season rain dry grow yield seed week month early late small large good poor high low'.split(' ')
const LETTERS = 'bcdfghjklmnprstvwz'
const VOWELS = 'aeiou'

function word (rand: () => number): string {
  let w = ''
  const syllables = 2 + Math.floor(rand() * 2)
  for (let i = 0; i < syllables; i++) w += LETTERS[Math.floor(rand() * LETTERS.length)]! + VOWELS[Math.floor(rand() * VOWELS.length)]!
  return w
}

/** 1000 experts, each with a 40-word private vocabulary mixed with common farm words. */
function syntheticExperts (rand: () => number): { experts: ExpertInput[], vocab: string[][] } {
  const vocab: string[][] = []
  const experts: ExpertInput[] = []
  const sentence = (own: string[], n: number): string =>
    Array.from({ length: n }, () => rand() < 0.6 ? own[Math.floor(rand() * own.length)]! : COMMON[Math.floor(rand() * COMMON.length)]!).join(' ')
  for (let i = 0; i < N_EXPERTS; i++) {
    const own = Array.from({ length: 40 }, () => word(rand))
    vocab.push(own)
    experts.push({
      id: `e${i}`,
      name: `expert-${i}`,
      domain: `domain-${i}`,
      exemplars: Array.from({ length: PER_EXPERT }, () => ({ q: `How do I ${sentence(own, 10)}?`, a: `${sentence(own, 40)}.` }))
    })
  }
  return { experts, vocab }
}

function timeEach<T> (items: T[], fn: (x: T) => unknown): number[] {
  for (const x of items.slice(0, 20)) fn(x) // warm up
  return items.map(x => {
    const t = performance.now()
    fn(x)
    return performance.now() - t
  })
}

export async function run (): Promise<Record<string, unknown>> {
  const rand = createPrng(42).next
  // embedding latency on real questions (the fixture), with idf fitted on a realistic corpus
  const fixture = loadParaphrases(fileURLToPath(new URL('../test/fixtures/paraphrases.jsonl', import.meta.url)))
  const questions = fixture.map(q => q.question)
  const embedder = hashEmbedder()
  embedder.fit(syntheticExperts(createPrng(7).next).experts.slice(0, 50).flatMap(e => e.exemplars.map(x => `${x.q}\n${x.a}`)).concat(questions))
  const embedMs = timeEach(questions, q => embedder.embedPacked(q))
  const embedDenseMs = timeEach(questions, q => embedder.embedSync(q))

  // the 1000-expert index
  const { experts, vocab } = syntheticExperts(rand)
  const heapBefore = process.memoryUsage().heapUsed
  let t = performance.now()
  const router = new Router()
  await router.setExperts(experts)
  const buildS = (performance.now() - t) / 1000
  t = performance.now()
  const calibration = await router.calibrate()
  const calibrateS = (performance.now() - t) / 1000
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20

  const queries = Array.from({ length: N_QUERIES }, (_, i) => {
    if (i % 2 === 1) return { text: `How do I ${Array.from({ length: 8 }, () => word(rand)).join(' ')}?`, expert: null }
    const k = Math.floor(rand() * N_EXPERTS)
    const own = vocab[k]!
    return { text: `what about ${Array.from({ length: 6 }, () => own[Math.floor(rand() * own.length)]!).join(' ')} this season?`, expert: `e${k}` }
  })
  const fitted = router.embedder as ReturnType<typeof hashEmbedder>
  const vectors = queries.map(q => fitted.embedPacked(q.text))
  const routeMs = timeEach(queries.map((q, i) => ({ q, v: vectors[i]! })), ({ q, v }) => router.routeVector(v, q.text))
  const routeVectorOnlyMs = timeEach(vectors, v => router.routeVector(v))
  const decisions = queries.map((q, i) => router.routeVector(vectors[i]!, q.text))
  const inDomain = queries.filter(q => q.expert != null)
  const correct = queries.filter((q, i) => q.expert != null && decisions[i]!.choice?.id === q.expert).length
  const abstainedOod = queries.filter((q, i) => q.expert == null && decisions[i]!.abstained).length

  // baseline 1: exhaustive exact kNN over the same index (no prefilter)
  const brute = new Router({ embedder: fitted, scoring: { prefilterAbove: Number.MAX_SAFE_INTEGER } })
  await brute.setExperts(experts)
  await brute.calibrate()
  const bruteMs = timeEach(vectors.slice(0, 100), v => brute.routeVector(v))
  // same decision (same expert, or both abstain) with and without the prefilter
  const agreement = queries.filter((q, i) => {
    const a = brute.routeVector(vectors[i]!, q.text)
    return (a.choice?.id ?? null) === (decisions[i]!.choice?.id ?? null)
  }).length / queries.length

  // baseline 2: plain TF-IDF max-similarity over the same exemplars
  const tfidf = tfidfRouter()
  tfidf.setExperts(experts)
  const tfidfMs = timeEach(queries.slice(0, 100), q => tfidf.route(q.text))

  const figures = {
    routeP50Ms1000: quantile(routeMs, 0.5),
    routeP95Ms1000: quantile(routeMs, 0.95),
    routeVectorOnlyP50Ms1000: quantile(routeVectorOnlyMs, 0.5),
    embedP50Ms: quantile(embedMs, 0.5),
    embedP95Ms: quantile(embedMs, 0.95),
    embedDenseP50Ms: quantile(embedDenseMs, 0.5),
    baselineExhaustiveKnnP50Ms1000: quantile(bruteMs, 0.5),
    baselineTfidfP50Ms1000: quantile(tfidfMs, 0.5),
    prefilterAgreement: agreement,
    syntheticInDomainAccuracy: correct / inDomain.length,
    syntheticOodAbstained: abstainedOod / (queries.length - inDomain.length),
    experts: N_EXPERTS,
    exemplarsPerExpert: PER_EXPERT,
    indexBuildS: buildS,
    calibrateS,
    calibrationThreshold: calibration.threshold,
    indexHeapMiB: heapMiB,
    loadAverage1m: loadavg()[0] ?? 0,
    // the speed targets; bench/run.ts marks each ✓ or ✗ beside this run's figure
    targets: { embedP50Ms: '< 1', routeP50Ms1000: '< 1' },
    // expert switch with the llama runtime (warm pool hit vs cold context), same run
    ...await expertSwitch()
  }
  const mark = (v: number): string => v < 1 ? '✓' : '✗'
  console.log(`route p50 ${figures.routeP50Ms1000.toFixed(3)} ms with ${N_EXPERTS} experts (target < 1 ms ${mark(figures.routeP50Ms1000)}; same-run baselines: exhaustive kNN ${figures.baselineExhaustiveKnnP50Ms1000.toFixed(3)} ms, TF-IDF ${figures.baselineTfidfP50Ms1000.toFixed(3)} ms)`)
  console.log(`embed p50 ${figures.embedP50Ms.toFixed(3)} ms (target < 1 ms ${mark(figures.embedP50Ms)}); load average ${figures.loadAverage1m.toFixed(1)}`)
  return figures
}
