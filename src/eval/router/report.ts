/**
 * Renders a router evaluation report as Markdown (printed to the terminal and written to
 * docs/results). Only held-out splits appear in the tables; dev figures stay in router.json.
 */
import type { DecisionTally, SweepPoint } from './tally.ts'
import type { LibraryResult, RouterEvalReport, SplitResult } from './run.ts'

const pct = (x: number): string => Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–'
const frac = (t: DecisionTally): string => `${t.correct}/${t.n} (${pct(t.accuracy)})`
const rates = (p: SweepPoint): string => `${pct(p.inDomainAccuracy)} | ${pct(p.oodAbstained)}`

function rows (l: LibraryResult, s: SplitResult): string[] {
  const name = `${l.library}, ${s.split}`
  return [
    `| calibrated router | ${name} | ${frac(s.inDomain)} | ${frac(s.ood)} |`,
    `| TF-IDF max-sim, t=0 | ${name} | ${rates(s.baselineAtZero)} |`,
    `| TF-IDF max-sim, t=${l.baselineThreshold.toFixed(2)} (best on dev) | ${name} | ${rates(s.baselineAtDevBest)} |`
  ]
}

function calibrationLine (l: LibraryResult): string {
  const c = l.calibration
  return `- ${l.suite} / ${l.library}: threshold ${c.threshold.toFixed(3)} (less up to ${c.evidenceCredit.toFixed(2)} for ${c.evidenceCap}+ matching words), ` +
    `min margin ${c.minMargin.toFixed(3)}, min coverage ${c.minCoverage.toFixed(3)}, min evidence ${c.minEvidence} word(s); ` +
    `${c.n} leave-one-out exemplar questions (routed right ${pct(c.looAccuracy)}, accepted ${pct(c.looAccepted)}); ` +
    `${c.generalQuestions} general everyday questions, ${pct(c.generalAbstained)} abstained`
}

function combined (libs: LibraryResult[]): string {
  let ic = 0; let inn = 0; let oc = 0; let on = 0
  for (const l of libs) {
    for (const s of l.splits.filter(x => x.heldOut)) { ic += s.inDomain.correct; inn += s.inDomain.n; oc += s.ood.correct; on += s.ood.n }
  }
  const met = ic / Math.max(1, inn) >= 0.9 && oc / Math.max(1, on) >= 0.9
  return `${ic}/${inn} (${pct(ic / Math.max(1, inn))}) in-domain routed right, ${oc}/${on} (${pct(oc / Math.max(1, on))}) out-of-domain abstained ` +
    `(target: at least 90% of each — ${met ? 'met' : 'not met'})`
}

function misses (l: LibraryResult): string[] {
  return l.splits.filter(s => s.heldOut).flatMap(s => [...s.inDomain.misses, ...s.ood.misses]
    .map(m => `- [${l.library}, ${s.split}] expected ${m.expected ?? 'abstain'}, got ${m.got ?? 'abstain'}: ${m.question}`))
}

export function renderMarkdown (report: RouterEvalReport): string {
  const lines: string[] = ['# Router evaluation', '',
    `Embedder: \`${report.embedder}\` (built-in: word stems and character n-grams with idf from the library; no word lists, no download).`,
    'One self-calibrated setting per library (leave-one-out over its exemplars and the shipped general everyday questions); nothing tuned per set.',
    '',
    'Only held-out splits are shown: the router was tuned on the `dev` splits, which are left out here (their figures are in router.json).',
    'In-domain counts a question as right only when it is routed to its own domain (abstaining is wrong); out-of-domain counts it right when the router abstains.',
    'Earlier figures for this router (95.7% of gossip paraphrases) came from an embedder whose built-in agricultural thesaurus held words that occur only in the',
    'fixture\'s test and holdout questions; they were not held-out figures and are withdrawn. The built-in embedder now carries no domain vocabulary.',
    '']
  const suites = [...new Set(report.libraries.map(l => l.suite))]
  for (const suite of suites) {
    const libs = report.libraries.filter(l => l.suite === suite)
    lines.push(`## ${suite}`, '', '| router | library, split | in-domain routed right | out-of-domain abstained |', '|---|---|---|---|')
    for (const l of libs) for (const s of l.splits.filter(x => x.heldOut)) lines.push(...rows(l, s))
    lines.push('', `Held-out splits combined, calibrated router: ${combined(libs)}.`, '')
  }
  for (const s of report.skipped) lines.push(`Skipped: ${s}.`, '')
  lines.push('Approaches measured on the dev splits and not kept (WordNet senses and glosses, GloVe word vectors, pooled expert vectors, per-expert thresholds, other weightings): ' +
    '[router-tried.md](router-tried.md).', '')
  lines.push('## Calibration', '', ...report.libraries.map(calibrationLine), '')
  lines.push('## Misses of the calibrated router (held-out splits)', '', ...report.libraries.flatMap(misses), '')
  return lines.join('\n')
}
