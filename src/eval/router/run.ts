/**
 * The router evaluation, on two suites at one self-calibrated setting per library:
 *
 * - the frozen non-agricultural set (test/fixtures/router-dev: eight domains, user questions
 *   written apart from the exemplars, out-of-domain questions with near misses), split dev/test;
 * - the gossip-handshake paraphrase fixture (test/fixtures/paraphrases.jsonl) against experts
 *   built from the gossip-handshake training files only, split dev/holdout/test.
 *
 * Each split is reported on its own. Next to the router, a plain TF-IDF max-similarity baseline
 * over the same exemplars (questions + answers), at threshold 0 and at the threshold that is best
 * on the dev split (so the baseline, too, is judged on questions it was not tuned on).
 */
import { join } from 'node:path'
import { bestBalanced, sweepBaseline, tally } from './tally.ts'
import { exists, loadExpertDir, loadGossipEval, loadLabeledQuestions, loadParaphrases } from './data.ts'
import { hashEmbedder } from '../../embedding/index.ts'
import { Router } from '../../router/index.ts'
import { tfidfRouter } from './tfidf-baseline.ts'
import type { DecisionTally, LabeledQuestion, SweepPoint } from './tally.ts'
import type { Calibration, ExpertInput } from '../../router/index.ts'

export interface EvalPaths {
  /** gossip-handshake folder (train/, eval.jsonl); that suite is skipped when absent. */
  gossipDir?: string
  /** Paraphrase / out-of-domain fixture of the gossip suite. */
  paraphrases: string
  /** The non-agricultural set: experts/ folder and questions.jsonl. */
  routerDev: string
}

export interface SplitResult {
  split: string
  /** Questions of this split that were used to tune the router (dev) or not (held out). */
  heldOut: boolean
  inDomain: DecisionTally
  ood: DecisionTally
  baselineAtZero: SweepPoint
  /** Baseline at the threshold chosen on the dev split. */
  baselineAtDevBest: SweepPoint
}

export interface LibraryResult {
  suite: string
  library: string
  experts: string[]
  calibration: Calibration
  baselineThreshold: number
  splits: SplitResult[]
}

export interface RouterEvalReport {
  embedder: string
  libraries: LibraryResult[]
  skipped: string[]
}

const THRESHOLDS = Array.from({ length: 31 }, (_, i) => Math.round(i * 0.02 * 100) / 100)
const DEV = 'dev'

async function routeAll (router: Router, questions: LabeledQuestion[]): Promise<Array<{ choice: { domain: string } | null }>> {
  const out: Array<{ choice: { domain: string } | null }> = []
  for (const q of questions) out.push(await router.route(q.question))
  return out
}

interface SplitQuestions { split: string, inDomain: LabeledQuestion[], ood: LabeledQuestion[] }

/** Routes every split with one calibrated router and the baseline (threshold picked on dev). */
async function runLibrary (suite: string, library: string, experts: ExpertInput[], splits: SplitQuestions[]): Promise<LibraryResult> {
  const router = new Router()
  await router.setExperts(experts)
  const calibration = await router.calibrate()
  const baseline = tfidfRouter({ useAnswers: true })
  baseline.setExperts(experts)
  const dev = splits.find(s => s.split === DEV)
  const devBest = dev == null ? null : bestBalanced(sweepBaseline(baseline, dev.inDomain, dev.ood, THRESHOLDS))
  const threshold = devBest?.threshold ?? 0
  const results: SplitResult[] = []
  for (const s of splits) {
    const [atZero, atDevBest] = sweepBaseline(baseline, s.inDomain, s.ood, [0, threshold])
    results.push({
      split: s.split,
      heldOut: s.split !== DEV,
      inDomain: tally(s.inDomain, await routeAll(router, s.inDomain)),
      ood: tally(s.ood, await routeAll(router, s.ood)),
      baselineAtZero: atZero!,
      baselineAtDevBest: atDevBest!
    })
  }
  return { suite, library, experts: experts.map(e => `${e.name} (${e.exemplars.length})`), calibration, baselineThreshold: threshold, splits: results }
}

function bySplit<Q extends LabeledQuestion & { split: string }> (questions: Q[], keep: (q: Q) => boolean): SplitQuestions[] {
  const names = [...new Set(questions.map(q => q.split))].sort((a, b) => a === DEV ? -1 : b === DEV ? 1 : a < b ? -1 : 1)
  return names.map(split => ({
    split,
    inDomain: questions.filter(q => q.split === split && q.domain != null && keep(q)),
    ood: questions.filter(q => q.split === split && q.domain == null)
  }))
}

export async function evaluateRouter (paths: EvalPaths): Promise<RouterEvalReport> {
  const report: RouterEvalReport = { embedder: hashEmbedder().modelId, libraries: [], skipped: [] }

  const devQuestions = loadLabeledQuestions(join(paths.routerDev, 'questions.jsonl'))
  report.libraries.push(await runLibrary('non-agricultural (router-dev)', 'eight domains',
    loadExpertDir(join(paths.routerDev, 'experts')), bySplit(devQuestions, () => true)))

  const gossip = paths.gossipDir
  if (gossip == null || !exists(join(gossip, 'train')) || !exists(join(gossip, 'eval.jsonl'))) {
    report.skipped.push(`gossip-handshake data not found at ${gossip ?? '(no path)'}; it lives in the shared folder beside the repository`)
    return report
  }
  const fixture = loadParaphrases(paths.paraphrases)
  const evalQs = loadGossipEval(join(gossip, 'eval.jsonl'))
  for (const set of [...new Set(evalQs.map(q => q.set))]) {
    const domains = [...new Set(evalQs.filter(q => q.set === set).map(q => q.domain))]
    const experts = loadExpertDir(join(gossip, 'train'), { domains })
    report.libraries.push(await runLibrary('gossip-handshake paraphrases', set, experts, bySplit(fixture, q => domains.includes(q.domain!))))
  }
  return report
}
