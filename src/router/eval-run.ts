/**
 * The router evaluation: gossip-handshake questions (clean and overlap sets, experts built from the
 * training files only), the paraphrase and out-of-domain fixture, a no-thesaurus ablation, the
 * plain TF-IDF baseline with its threshold sweep, and the demo community cards.
 */
import { join } from 'node:path'
import { bestBalanced, sweepBaseline, tally } from './evaluate.ts'
import { exists, loadExpertDir, loadGossipEval, loadParaphrases, sharedWordShare } from './eval-data.ts'
import { hashEmbedder } from './hash-embedder.ts'
import { Router } from './router.ts'
import { tfidfRouter } from './tfidf-baseline.ts'
import type { DecisionTally, LabeledQuestion, SweepPoint } from './evaluate.ts'
import type { FixtureQuestion } from './eval-data.ts'
import type { Calibration, ExpertInput } from './types.ts'

export interface EvalPaths {
  /** gossip-handshake folder (train/, eval.jsonl); skipped when absent. */
  gossipDir?: string
  /** Paraphrase / OOD fixture. */
  paraphrases: string
  /** Demo community cards (`*.jsonl` of `{q, a}`); skipped when absent. */
  communities?: string
}

export interface ParaphraseResult {
  all: DecisionTally
  bySplit: Record<string, DecisionTally>
  ood: DecisionTally
  oodBySplit: Record<string, DecisionTally>
}

export interface BaselineResult {
  variant: 'questions' | 'questions+answers'
  sweep: SweepPoint[]
  atZero: SweepPoint
  best: SweepPoint
  /** Eval-set accuracy at threshold 0 and at the best balanced threshold. */
  evalAtZero: number
  evalAtBest: number
}

export interface SetResult {
  name: string
  experts: string[]
  calibration: Calibration
  eval: DecisionTally | null
  paraphrases: ParaphraseResult
  ablationNoThesaurus: { eval: DecisionTally | null, paraphrases: ParaphraseResult, calibration: Calibration }
  baselines: BaselineResult[]
}

export interface RouterEvalReport {
  embedder: string
  gossip: { skipped: string } | {
    sets: SetResult[]
    allExperts: SetResult
    /** Mean share of a paraphrase's content stems found in its nearest training question. */
    paraphraseWordOverlap: number
  }
  communities: { skipped: string } | SetResult
  fixture: { paraphrases: number, ood: number, splits: string[] }
}

const THRESHOLDS = Array.from({ length: 31 }, (_, i) => Math.round(i * 0.02 * 100) / 100)

async function routeAll (router: Router, questions: LabeledQuestion[]): Promise<Array<{ choice: { domain: string } | null }>> {
  const out: Array<{ choice: { domain: string } | null }> = []
  for (const q of questions) out.push(await router.route(q.question))
  return out
}

async function runParaphrases (router: Router, para: FixtureQuestion[], ood: FixtureQuestion[]): Promise<ParaphraseResult> {
  const paraDecisions = await routeAll(router, para)
  const oodDecisions = await routeAll(router, ood)
  const bySplit: Record<string, DecisionTally> = {}
  const oodBySplit: Record<string, DecisionTally> = {}
  for (const split of [...new Set([...para, ...ood].map(q => q.split))].sort()) {
    const pi = para.map((q, i) => q.split === split ? i : -1).filter(i => i >= 0)
    const oi = ood.map((q, i) => q.split === split ? i : -1).filter(i => i >= 0)
    bySplit[split] = tally(pi.map(i => para[i]!), pi.map(i => paraDecisions[i]!))
    oodBySplit[split] = tally(oi.map(i => ood[i]!), oi.map(i => oodDecisions[i]!))
  }
  return { all: tally(para, paraDecisions), bySplit, ood: tally(ood, oodDecisions), oodBySplit }
}

async function runSet (name: string, experts: ExpertInput[], evalQs: LabeledQuestion[] | null, fixture: FixtureQuestion[]): Promise<SetResult> {
  const domains = new Set(experts.map(e => e.domain))
  const para = fixture.filter(q => q.kind === 'paraphrase' && q.domain != null && domains.has(q.domain))
  const ood = fixture.filter(q => q.kind === 'ood')
  const run = async (router: Router): Promise<{ calibration: Calibration, eval: DecisionTally | null, paraphrases: ParaphraseResult }> => {
    await router.setExperts(experts)
    const calibration = await router.calibrate()
    const evalTally = evalQs == null ? null : tally(evalQs, await routeAll(router, evalQs))
    return { calibration, eval: evalTally, paraphrases: await runParaphrases(router, para, ood) }
  }
  const main = await run(new Router())
  const ablation = await run(new Router({ embedder: hashEmbedder({ concepts: false }) }))
  const baselines: BaselineResult[] = []
  for (const useAnswers of [false, true]) {
    const b = tfidfRouter({ useAnswers })
    b.setExperts(experts)
    const sweep = sweepBaseline(b, para, ood, THRESHOLDS)
    const best = bestBalanced(sweep)!
    const evalSweep = evalQs == null ? null : sweepBaseline(b, evalQs, [], [0, best.threshold])
    baselines.push({
      variant: useAnswers ? 'questions+answers' : 'questions',
      sweep,
      atZero: sweep[0]!,
      best,
      evalAtZero: evalSweep?.[0]?.inDomainAccuracy ?? NaN,
      evalAtBest: evalSweep?.[1]?.inDomainAccuracy ?? NaN
    })
  }
  return {
    name,
    experts: experts.map(e => `${e.name} (${e.exemplars.length})`),
    calibration: main.calibration,
    eval: main.eval,
    paraphrases: main.paraphrases,
    ablationNoThesaurus: { eval: ablation.eval, paraphrases: ablation.paraphrases, calibration: ablation.calibration },
    baselines
  }
}

export async function evaluateRouter (paths: EvalPaths): Promise<RouterEvalReport> {
  const fixture = loadParaphrases(paths.paraphrases)
  const report: RouterEvalReport = {
    embedder: hashEmbedder().modelId,
    gossip: { skipped: '' },
    communities: { skipped: '' },
    fixture: {
      paraphrases: fixture.filter(q => q.kind === 'paraphrase').length,
      ood: fixture.filter(q => q.kind === 'ood').length,
      splits: [...new Set(fixture.map(q => q.split))].sort()
    }
  }
  const gossip = paths.gossipDir
  if (gossip == null || !exists(join(gossip, 'train')) || !exists(join(gossip, 'eval.jsonl'))) {
    report.gossip = { skipped: `gossip-handshake data not found at ${gossip ?? '(no path)'}; it lives in the shared folder beside the repository` }
  } else {
    const evalQs = loadGossipEval(join(gossip, 'eval.jsonl'))
    const sets: SetResult[] = []
    for (const set of [...new Set(evalQs.map(q => q.set))]) {
      const qs = evalQs.filter(q => q.set === set)
      const experts = loadExpertDir(join(gossip, 'train'), { domains: [...new Set(qs.map(q => q.domain))] })
      sets.push(await runSet(set, experts, qs, fixture))
    }
    const everyone = loadExpertDir(join(gossip, 'train'))
    const training = everyone.flatMap(e => e.exemplars.map(x => x.q))
    const para = fixture.filter(q => q.kind === 'paraphrase')
    report.gossip = {
      sets,
      allExperts: await runSet('all experts', everyone, null, fixture),
      paraphraseWordOverlap: para.reduce((s, q) => s + sharedWordShare(q.question, training), 0) / Math.max(1, para.length)
    }
  }
  if (paths.communities == null || !exists(paths.communities)) {
    report.communities = { skipped: `community cards not found at ${paths.communities ?? '(no path)'}` }
  } else {
    report.communities = await runSet('demo communities', loadExpertDir(paths.communities), null, fixture)
  }
  return report
}
