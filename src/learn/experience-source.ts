/**
 * Retrieval into prompts: the top-k active experiences most relevant to a question (by the local
 * embedder), filtered by domain, within a token budget. Runtimes render the result into the
 * system prompt (`GenerateOptions.experiences`). Rejected, revoked, quarantined and replaced
 * experiences are never returned.
 *
 * @example
 * ```ts
 * const source = experienceSource(library, embedder)
 * const experiences = await source.relevant(question, { domain: 'veterinary', k: 5, tokenBudget: 256 })
 * await runtime.doGenerate({ messages, experiences })
 * ```
 */
import { CachedEmbedder, cosinePacked as cosine } from '../embedding/index.ts'
import { DEFAULT_TOKEN_BUDGET, DEFAULT_TOP_K, GENERAL_DOMAIN } from './constants.ts'
import { InvalidLearnOptionsError } from './errors.ts'
import { experienceState } from './experience-state.ts'
import type { ExperienceView } from './experience-state.ts'
import type { Library } from '../library/index.ts'
import type { Embedder } from '../embedding/index.ts'

export interface RelevantOptions {
  /** Only this domain (plus `general`); absent: every domain. */
  domain?: string | null
  /** At most this many experiences (default 5). */
  k?: number
  /** Estimated tokens the rendered list may take (default 256). */
  tokenBudget?: number
  /** Drop experiences whose cosine to the question is below this (default: keep all, ranked). */
  minScore?: number
  signal?: AbortSignal
}

export interface RelevantExperience {
  cid: string
  text: string
  /** Cosine similarity to the question. */
  score: number
  domain: string
}

export interface ExperienceSource {
  relevant(question: string, options?: RelevantOptions): Promise<RelevantExperience[]>
}

export interface ExperienceSourceInit {
  /** This node's peer id (its own UPDATE/MERGE links retire peers' experiences). */
  self?: string
  /** Token estimate for one rendered line; default ≈ chars / 4 + 2. */
  countTokens?: (text: string) => number
}

/** Rough token estimate used when no tokenizer is at hand: ~4 characters per token, plus the bullet. */
export function estimateTokens (text: string): number {
  return Math.ceil(text.length / 4) + 2
}

export function experienceSource (library: Library, embedder: Embedder, init: ExperienceSourceInit = {}): ExperienceSource {
  const cache = new CachedEmbedder(embedder, { db: library.db, maxEntries: 8192 })
  const countTokens = init.countTokens ?? estimateTokens
  return {
    async relevant (question: string, options: RelevantOptions = {}): Promise<RelevantExperience[]> {
      options.signal?.throwIfAborted()
      const k = options.k ?? DEFAULT_TOP_K
      const budget = options.tokenBudget ?? DEFAULT_TOKEN_BUDGET
      if (!Number.isInteger(k) || k < 0) throw new InvalidLearnOptionsError('k', 'must be an integer >= 0')
      if (!Number.isFinite(budget) || budget < 0) throw new InvalidLearnOptionsError('tokenBudget', 'must be >= 0')
      if (k === 0 || budget === 0 || question.trim() === '') return []
      const domain = options.domain?.toLowerCase()
      const pool = experienceState(library, init.self ?? '').views
        .filter(v => v.active && (domain == null || v.domain === domain || v.domain === GENERAL_DOMAIN))
      if (pool.length === 0) return []
      const [q, ...vs] = await cache.embed([question, ...pool.map(p => p.text)], options.signal)
      const ranked = pool.map((v, i) => ({ v, score: cosine(q!, vs[i]!) }))
        .filter(x => options.minScore == null || x.score >= options.minScore)
        .sort((a, b) => b.score - a.score || b.v.confidence - a.v.confidence || (a.v.cid < b.v.cid ? -1 : 1))
      const out: RelevantExperience[] = []
      let used = 0
      for (const { v, score } of ranked) {
        if (out.length >= k) break
        const cost = countTokens(v.text)
        if (used + cost > budget) continue
        used += cost
        out.push(toRelevant(v, score))
      }
      return out
    }
  }
}

function toRelevant (v: ExperienceView, score: number): RelevantExperience {
  return { cid: v.cid, text: v.text, score, domain: v.domain }
}

/** The system-prompt block the runtimes render (same wording as runtime `messagesWithExperiences`). */
export function renderExperiences (experiences: Array<{ text: string }>): string {
  if (experiences.length === 0) return ''
  return 'Lessons learned from earlier answers:\n' + experiences.map(e => `- ${e.text}`).join('\n')
}
