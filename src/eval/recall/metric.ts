/**
 * The gossip-handshake keyword-recall metric, in percent: per question, the share of expected
 * keywords found as case-insensitive substrings of the answer (the `keywords` grader of
 * src/learn, no word boundaries); a domain's score is the mean over its questions; "overall" is
 * the mean of the domain means.
 */
import { loadGrader } from '../../learn/index.ts'
import type { Grader } from '../../learn/index.ts'

export interface KeywordScore {
  /** 0..100 */
  recall: number
  found: string[]
  missing: string[]
}

export interface RecallSummary {
  /** Mean of the domain means, 0..100. */
  overall: number
  perDomain: Record<string, number>
  /** Questions per domain. */
  counts: Record<string, number>
}

let grader: Promise<Grader> | undefined

function keywordsGrader (): Promise<Grader> {
  grader ??= loadGrader('keywords')
  return grader
}

/** Scores one answer; `found`/`missing` come from the same grader applied keyword by keyword. */
export async function keywordRecall (answer: string, keywords: string[], options: { signal?: AbortSignal } = {}): Promise<KeywordScore> {
  const g = await keywordsGrader()
  const task = (kws: string[]): { id: string, question: string, keywords: string[], line: number } => ({ id: 'recall', question: '', keywords: kws, line: 0 })
  const share = await g.grade(answer, task(keywords), options)
  const found: string[] = []
  const missing: string[] = []
  for (const k of keywords) ((await g.grade(answer, task([k]), options)) === 1 ? found : missing).push(k)
  return { recall: share * 100, found, missing }
}

/** Domain means and their mean; domains listed in `order` come first, in that order. */
export function summariseRecall (items: Array<{ domain: string, recall: number }>, order: string[] = []): RecallSummary {
  const sums = new Map<string, { total: number, n: number }>()
  for (const d of order) sums.set(d, { total: 0, n: 0 })
  for (const it of items) {
    const s = sums.get(it.domain) ?? { total: 0, n: 0 }
    s.total += it.recall
    s.n++
    sums.set(it.domain, s)
  }
  const perDomain: Record<string, number> = {}
  const counts: Record<string, number> = {}
  for (const [d, s] of sums) {
    if (s.n === 0) continue
    perDomain[d] = s.total / s.n
    counts[d] = s.n
  }
  const means = Object.values(perDomain)
  return { overall: means.length === 0 ? 0 : means.reduce((a, b) => a + b, 0) / means.length, perDomain, counts }
}
