/**
 * Loading evaluation material: training files as experts (gossip-handshake `train/*.jsonl`, or
 * `{q, a}` card files), labelled question files, and the paraphrase / out-of-domain fixture.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { contentTokens } from '../../embedding/index.ts'
import { parseExemplars } from '../../router/index.ts'
import type { LabeledQuestion } from './tally.ts'
import type { ExpertInput } from '../../router/index.ts'

/** Loads every `<domain>_dataset.jsonl` (or `<domain>.jsonl`) in a folder as one expert per domain. */
export function loadExpertDir (dir: string, options: { domains?: string[], max?: number } = {}): ExpertInput[] {
  const experts: ExpertInput[] = []
  for (const file of readdirSync(dir).filter(f => f.endsWith('.jsonl')).sort()) {
    const domain = basename(file, '.jsonl').replace(/_dataset$/, '').replace(/-/g, '_')
    if (options.domains != null && !options.domains.includes(domain)) continue
    const { exemplars } = parseExemplars(readFileSync(join(dir, file), 'utf8'), { file: join(dir, file), max: options.max ?? 64 })
    experts.push({ id: domain, name: domain, domain, exemplars })
  }
  return experts
}

export interface GossipEvalQuestion extends LabeledQuestion {
  set: string
  id: string
  domain: string
}

export function loadGossipEval (file: string): GossipEvalQuestion[] {
  return readFileSync(file, 'utf8').split(/\r?\n/).filter(l => l.trim() !== '').map(l => {
    const o = JSON.parse(l) as { set: string, id: string, domain: string, question: string }
    return { set: o.set, id: o.id, domain: o.domain, question: o.question }
  })
}

export interface FixtureQuestion extends LabeledQuestion {
  kind: 'paraphrase' | 'ood'
  split: string
  topic?: string
}

/** The router's paraphrase / out-of-domain fixture (test/fixtures/paraphrases.jsonl). */
export function loadParaphrases (file: string): FixtureQuestion[] {
  return readFileSync(file, 'utf8').split(/\r?\n/).filter(l => l.trim() !== '').map((l, i) => {
    const o = JSON.parse(l) as { kind: string, split: string, domain: string | null, question: string, topic?: string }
    return {
      id: `${o.kind}-${i + 1}`,
      kind: o.kind === 'ood' ? 'ood' : 'paraphrase',
      split: o.split,
      domain: o.kind === 'ood' ? null : o.domain,
      question: o.question,
      ...(o.topic == null ? {} : { topic: o.topic })
    }
  })
}

export interface SplitQuestion extends LabeledQuestion {
  split: string
}

/** A frozen question file: one `{split, domain|null, question}` per line (test/fixtures/router-dev/questions.jsonl). */
export function loadLabeledQuestions (file: string): SplitQuestion[] {
  return readFileSync(file, 'utf8').split(/\r?\n/).filter(l => l.trim() !== '').map((l, i) => {
    const o = JSON.parse(l) as { split: string, domain: string | null, question: string }
    return { id: `${o.split}-${i + 1}`, split: o.split, domain: o.domain, question: o.question }
  })
}

/** Overlap of a question with its nearest training question: share of its content-word stems (stop words aside). */
export function sharedWordShare (question: string, training: string[]): number {
  const toks = (t: string): Set<string> => new Set(contentTokens(t).map(x => x.stem))
  const q = toks(question)
  if (q.size === 0) return 0
  let best = 0
  for (const t of training) {
    const s = toks(t)
    let n = 0
    for (const w of q) if (s.has(w)) n++
    best = Math.max(best, n / q.size)
  }
  return best
}

export function exists (path: string): boolean {
  return existsSync(path)
}
