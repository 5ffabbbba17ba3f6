/** The community knowledge shipped with Baobab (data/communities): Q&A, experiences, outcomes. */
import { readFileSync } from 'node:fs'
import type { OutcomeInput } from '../../outcomes/index.ts'

const dataDir = new URL('../../../data/communities/', import.meta.url)

export const COMMUNITIES = ['agronomy', 'veterinary', 'irrigation', 'soil science', 'aquaculture'] as const
export type Community = (typeof COMMUNITIES)[number]

export function communityQa (domain: Community): Array<{ q: string, a: string }> {
  return readFileSync(new URL(`${domain.replace(' ', '-')}.jsonl`, dataDir), 'utf8')
    .trim().split('\n').map(line => JSON.parse(line) as { q: string, a: string })
}

export function communityExperiences (domain: Community): string[] {
  const all = JSON.parse(readFileSync(new URL('experiences.json', dataDir), 'utf8')) as Record<string, string[]>
  return all[domain] ?? []
}

export function communityOutcome (domain: Community): OutcomeInput {
  const all = JSON.parse(readFileSync(new URL('outcomes.json', dataDir), 'utf8')) as Array<OutcomeInput & { domain: string }>
  const found = all.find(o => o.domain === domain)
  if (found == null) throw new Error(`no outcome packet for ${domain} in data/communities/outcomes.json`)
  const { domain: _domain, ...input } = found
  return input
}

/** The visitor's questions: one per community, phrased the way a farmer would ask, plus one no expert covers. */
export const VISITOR_QUESTIONS: Array<{ question: string, expect: Community | null }> = [
  { question: 'The bottom leaves of my maize are going yellow from the tip. What is it short of?', expect: 'agronomy' },
  { question: 'My calf has watery dung and is getting weak. What should I give it first?', expect: 'veterinary' },
  { question: 'How much water do my tomatoes need in a week?', expect: 'irrigation' },
  { question: 'The ground on my plot is too acidic. How can I fix it before sowing?', expect: 'soil science' },
  { question: 'Why are my tilapia gulping air at the surface early in the morning?', expect: 'aquaculture' },
  { question: 'Who won the football world cup in 1998?', expect: null }
]
