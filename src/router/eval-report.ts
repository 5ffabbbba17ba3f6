/** Renders a router evaluation report as Markdown (printed to the terminal and written to docs/results). */
import type { DecisionTally } from './evaluate.ts'
import type { ParaphraseResult, RouterEvalReport, SetResult } from './eval-run.ts'

const frac = (t: DecisionTally | null | undefined): string => t == null ? '–' : `${t.correct}/${t.n} (${pct(t.accuracy)})`
const pct = (x: number): string => Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–'

function splitCells (p: ParaphraseResult, splits: string[]): string {
  return splits.map(s => frac(p.bySplit[s])).join(' | ')
}

function mainRows (sets: SetResult[], splits: string[]): string[] {
  const rows: string[] = []
  for (const s of sets) {
    rows.push(`| calibrated router | ${s.name} | ${frac(s.eval)} | ${splitCells(s.paraphrases, splits)} | ${frac(s.paraphrases.all)} | ${frac(s.paraphrases.ood)} |`)
  }
  for (const s of sets) {
    const a = s.ablationNoThesaurus
    rows.push(`| same, no thesaurus | ${s.name} | ${frac(a.eval)} | ${splitCells(a.paraphrases, splits)} | ${frac(a.paraphrases.all)} | ${frac(a.paraphrases.ood)} |`)
  }
  for (const s of sets) {
    for (const b of s.baselines) {
      const blanks = splits.map(() => '').join(' | ')
      rows.push(`| TF-IDF max-sim (${b.variant}), t=0 | ${s.name} | ${pct(b.evalAtZero)} | ${blanks} | ${pct(b.atZero.inDomainAccuracy)} | ${pct(b.atZero.oodAbstained)} |`)
      rows.push(`| TF-IDF max-sim (${b.variant}), best t=${b.best.threshold.toFixed(2)} | ${s.name} | ${pct(b.evalAtBest)} | ${blanks} | ${pct(b.best.inDomainAccuracy)} | ${pct(b.best.oodAbstained)} |`)
    }
  }
  return rows
}

function combined (sets: SetResult[], pick: (s: SetResult) => ParaphraseResult): string {
  let pc = 0; let pn = 0; let oc = 0; let on = 0
  for (const s of sets) {
    const p = pick(s)
    pc += p.all.correct; pn += p.all.n; oc += p.ood.correct; on += p.ood.n
  }
  return `paraphrases ${pc}/${pn} (${pct(pc / Math.max(1, pn))}), out-of-domain abstained ${oc}/${on} (${pct(oc / Math.max(1, on))})`
}

function confusion (t: DecisionTally): string[] {
  const rows = Object.keys(t.confusion).sort()
  const cols = [...new Set(Object.values(t.confusion).flatMap(r => Object.keys(r)))].sort()
  const out = [`| expected \\ routed | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`]
  for (const r of rows) out.push(`| ${r} | ${cols.map(c => String(t.confusion[r]?.[c] ?? 0)).join(' | ')} |`)
  return out
}

function calibrationLine (s: SetResult): string {
  const c = s.calibration
  return `- ${s.name}: threshold ${c.threshold.toFixed(3)}, min margin ${c.minMargin.toFixed(3)}, min coverage ${c.minCoverage.toFixed(3)}, ` +
    `min evidence ${c.minEvidence} word(s); ${c.n} held-out exemplar questions, leave-one-out accuracy ${pct(c.looAccuracy)}, accepted ${pct(c.looAccepted)}`
}

function sweepTable (s: SetResult): string[] {
  const out = [`| threshold | ${s.baselines.map(b => `${b.variant}: paraphrases / OOD abstained`).join(' | ')} |`, `|---:|${s.baselines.map(() => '---').join('|')}|`]
  s.baselines[0]!.sweep.forEach((p, i) => {
    if (i % 2 !== 0) return
    out.push(`| ${p.threshold.toFixed(2)} | ${s.baselines.map(b => `${pct(b.sweep[i]!.inDomainAccuracy)} / ${pct(b.sweep[i]!.oodAbstained)}`).join(' | ')} |`)
  })
  return out
}

export function renderMarkdown (report: RouterEvalReport): string {
  const splits = report.fixture.splits
  const lines: string[] = ['# Router evaluation', '',
    `Embedder: \`${report.embedder}\` (built-in, no download). One automatically calibrated setting per library; nothing tuned per set.`,
    `Fixture: ${report.fixture.paraphrases} paraphrases and ${report.fixture.ood} out-of-domain questions (splits: ${splits.join(', ')}).`, '']
  const head = `| router | library | gossip eval questions | ${splits.map(s => `paraphrases ${s}`).join(' | ')} | paraphrases all | OOD abstained |`
  const rule = `|---|---|---|${splits.map(() => '---').join('|')}|---|---|`
  if ('skipped' in report.gossip) {
    lines.push(`Gossip-handshake: skipped — ${report.gossip.skipped}.`, '')
  } else {
    const g = report.gossip
    lines.push('## Gossip-handshake experts (built from train/*.jsonl only)', '', head, rule, ...mainRows(g.sets, splits), '')
    lines.push(`Combined over both libraries — calibrated router: ${combined(g.sets, s => s.paraphrases)}; no thesaurus: ${combined(g.sets, s => s.ablationNoThesaurus.paraphrases)}.`)
    lines.push(`Paraphrases share on average ${pct(g.paraphraseWordOverlap)} of their content-word stems with their nearest training question.`, '')
    lines.push(`All seven experts in one library (harder: overlapping domains side by side): ${combined([g.allExperts], s => s.paraphrases)}.`, '')
    lines.push('### Calibration', '', ...g.sets.map(calibrationLine), calibrationLine(g.allExperts), '')
    for (const s of g.sets) {
      if (s.eval == null) continue
      lines.push(`### ${s.name}: per domain`, '', '| domain | accuracy |', '|---|---|')
      for (const [d, v] of Object.entries(s.eval.perDomain).sort()) lines.push(`| ${d} | ${v.correct}/${v.n} |`)
      lines.push('', `### ${s.name}: confusion matrix (eval questions)`, '', ...confusion(s.eval), '')
      lines.push(`### ${s.name}: paraphrase confusion matrix`, '', ...confusion(s.paraphrases.all), '')
    }
    lines.push('### TF-IDF baseline threshold sweep (clean library)', '', ...sweepTable(g.sets[0]!), '')
    const misses = g.sets.flatMap(s => [...s.paraphrases.all.misses, ...s.paraphrases.ood.misses].map(m => `- [${s.name}] expected ${m.expected ?? 'abstain'}, got ${m.got ?? 'abstain'}: ${m.question}`))
    lines.push('### Misses of the calibrated router', '', ...misses, '')
  }
  if ('skipped' in report.communities) {
    lines.push(`Demo communities: skipped — ${report.communities.skipped}.`, '')
  } else {
    const c = report.communities
    lines.push('## Demo community cards (10 general exemplars per expert)', '', head, rule, ...mainRows([c], splits), '', calibrationLine(c), '')
  }
  return lines.join('\n')
}
