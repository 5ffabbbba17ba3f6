/** The recall report as markdown (printed by `baobab eval recall` and written to docs/results/recall.md). */
import type { ReferenceRow } from './reference.ts'
import type { ConditionReport, RecallReport, SetReport } from './types.ts'

const f = (x: number | null | undefined): string => (x == null ? '–' : x.toFixed(1))

function row (cells: string[]): string {
  return `| ${cells.join(' | ')} |`
}

function table (head: string[], rows: string[][]): string[] {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)]
}

function runtimeLabel (r: RecallReport): string {
  if (r.runtime.kind === 'retrieval') return 'retrieval runtime (no model)'
  return `${r.runtime.kind} runtime, ${r.runtime.model ?? '?'}`
}

function cond (s: SetReport, id: string): ConditionReport | undefined {
  return s.conditions.find(c => c.id === id)
}

function overallRows (r: RecallReport, s: SetReport, refs: ReferenceRow[]): string[][] {
  const rows: string[][] = []
  const routed = cond(s, 'routed')
  const pooled = cond(s, 'pooled')
  const none = cond(s, 'none')
  rows.push([`**Baobab**, ${runtimeLabel(r)}: knowledge cards`, f(routed?.overall), `${f(pooled?.overall)} (pooled card)`, f(none?.overall),
    `routing: ${routed?.routing.ownDomain ?? 0}/${s.questions} to the right expert, ${routed?.routing.noExpert ?? 0} abstained`])
  const rl = cond(s, 'routed-lora')
  const ml = cond(s, 'merged-lora')
  if (rl != null && ml != null) {
    rows.push([`**Baobab**, ${runtimeLabel(r)}: LoRA adapters (${r.lora?.source ?? '?'})`, f(rl.overall), `${f(ml.overall)} (ΔW ${r.lora?.mergeMethod ?? ''})`, f(none?.overall), 'same router; the merged adapter is one expert'])
  }
  rows.push(['answer ceiling: keywords present in the domain\'s training text', f(s.ceiling.overall), '', '', ''])
  for (const ref of refs) {
    rows.push([`upstream ${ref.model ?? ref.scale} (3-run mean)`, f(ref.routed.overall), `${f(ref.ties.overall)} (TIES d=0.5)`, `${f(ref.offDomainProxy)} (proxy)`,
      `one pass: routed ${f(ref.routedOnePass.overall)}; TIES best ${ref.tiesBest == null ? '–' : `${f(ref.tiesBest.overall)} (d=${ref.tiesBest.density})`}; naive average ${f(ref.naive)}`])
  }
  return rows
}

function domainRows (s: SetReport, refs: ReferenceRow[]): string[][] {
  const ids = s.conditions.map(c => c.id)
  return s.domains.map(d => [
    d,
    f(s.ceiling.perDomain[d]),
    ...ids.map(id => f(cond(s, id)?.perDomain[d])),
    ...refs.flatMap(ref => [f(ref.routed.perDomain[d]), f(ref.ties.perDomain[d])])
  ])
}

export function renderRecallMarkdown (r: RecallReport): string {
  const lines: string[] = ['# Keyword recall: routed experts vs one pooled expert vs none', '']
  lines.push(`Data: \`${r.data}\` (experts built from \`train/\` only). Runtime: ${runtimeLabel(r)}. Embedder: \`${r.embedder}\`. ` +
    `Generation: max tokens ${r.generation.maxTokens ?? 'unlimited'}, temperature ${r.generation.temperature ?? 'default'}, seed ${r.generation.seed ?? 'none'}. ` +
    `Run ${r.created}, ${(r.durationMs / 1000).toFixed(1)} s.`, '')
  lines.push(`Metric: ${r.metric}. All figures in percent.`, '')
  for (const s of r.sets) {
    const refs = r.reference?.rows.filter(x => x.set === s.set) ?? []
    lines.push(`## ${s.set} set: ${s.questions} questions, ${s.domains.length} domains (${s.verbatim}/${s.questions} are word-for-word training instructions)`, '')
    lines.push(...table(['system', 'routed', 'merged', 'no expert / base', 'notes'], overallRows(r, s, refs)), '')
    const head = ['domain', 'ceiling', ...s.conditions.map(c => c.id), ...refs.flatMap(ref => [`${ref.scale} routed`, `${ref.scale} TIES`])]
    lines.push(...table(head, domainRows(s, refs)), '')
    const pooled = cond(s, 'pooled')
    if (pooled != null) lines.push(`Pooled expert: ${pooled.library.exemplars} training pairs in ${pooled.library.artifacts} artifact(s) of one domain.`, '')
  }
  if (r.lora != null) {
    const ret = Object.entries(r.lora.retention).map(([set, m]) => `${set}: ${Object.entries(m).map(([d, c]) => `${d} ${c.toFixed(2)}`).join(', ')}`).join('; ')
    lines.push(`LoRA merge retention, cos(ΔW merged, ΔW expert): ${ret}.`, '')
  }
  if (r.reference != null) lines.push(`Reference: ${r.reference.source} (results.json). Upstream "routed" = Gossip--Keyword; "TIES" = the saved TIES merge, density 0.5.`, '')
  lines.push('## Caveats', '', ...r.caveats.map(c => `- ${c}`), '')
  lines.push('Reproduce: `npm run eval -- recall` (retrieval), `npm run eval -- recall --runtime llama --model tiny` (LoRA path on the bundled tiny model).')
  return lines.join('\n')
}
