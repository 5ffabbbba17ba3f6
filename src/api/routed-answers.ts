/**
 * `route`, `ask` and `experts` over the real parts: the library's trusted adapters feed the
 * `Router` (rebuilt when that set changes), relevant experiences come from the learn folder's
 * `ExperienceSource`, and the `LlmRuntime` streams the answer with the chosen expert as
 * `knowledge`. `resolveKnowledge` lets node.ts add what only it knows (e.g. `loraPath`).
 */
import { logger } from '@libp2p/logger'
import { ExpertNotFoundError } from '../router/index.ts'
import type { AdapterBody } from '../artifacts/index.ts'
import type { ExperienceSource } from '../learn/index.ts'
import type { Library } from '../library/index.ts'
import type { RouteDecision, Router } from '../router/index.ts'
import type { KnowledgeRef, LlmRuntime } from '../runtime/index.ts'
import type { EventHub } from './event-hub.ts'
import type { ChatMessage, ExpertInfo, NodeServices, RouteExplanation } from './types.ts'

const log = logger('baobab:api:routing')

export interface RoutingParts {
  library: Library
  router: Router
  runtime: LlmRuntime
  experiences?: ExperienceSource
  /** Adds runtime details to the chosen expert (e.g. a LoRA file path); default: as is. */
  resolveKnowledge?: (ref: KnowledgeRef, options: { signal?: AbortSignal }) => Promise<KnowledgeRef>
  events?: EventHub
  /** Experiences put into each prompt (default 3). */
  experienceK?: number
  /** How long the trusted-adapter set is reused before the library is read again (default 1000 ms). */
  expertsTtlMs?: number
}

export const DEFAULT_EXPERTS_TTL_MS = 1000

interface Card extends ExpertInfo {
  exemplars: number
  body: AdapterBody
}

/** Trusted adapters with at least one exemplar; the newest version of a name wins. */
export function trustedCards (library: Library): Card[] {
  const byName = new Map<string, Card>()
  for (const a of library.list({ kind: 'adapter', status: 'trusted' })) {
    const b = a.envelope.body as AdapterBody
    if (b.exemplars.length === 0) continue
    const prev = byName.get(b.name)
    if (prev != null && prev.created >= a.created) continue
    byName.set(b.name, { name: b.name, domain: b.domain, cid: a.cid.toString(), description: b.description, exemplars: b.exemplars.length, created: a.created, body: b })
  }
  return [...byName.values()].sort((x, y) => x.name.localeCompare(y.name))
}

export function lastUserMessage (messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content
  return ''
}

export type RoutedAnswers = Pick<NodeServices, 'route' | 'ask' | 'experts'> & {
  /** Forget the cached trusted-adapter set (call after status changes). */
  invalidate(): void
}

export function routedAnswers (parts: RoutingParts): RoutedAnswers {
  const { library, router, runtime } = parts
  const ttl = parts.expertsTtlMs ?? DEFAULT_EXPERTS_TTL_MS
  let loadedKey = ''
  let loading: Promise<Card[]> | undefined
  let cached: { cards: Card[], at: number } | undefined
  library.onPut((a) => { if (a.kind === 'adapter') cached = undefined })

  /** The library's trusted cards, read at most once per `ttl` unless invalidated. */
  const current = (): Card[] => {
    const now = Date.now()
    if (cached == null || now - cached.at >= ttl) cached = { cards: trustedCards(library), at: now }
    return cached.cards
  }

  /** Keeps the router's experts equal to the library's trusted cards. */
  const sync = async (signal?: AbortSignal): Promise<Card[]> => {
    const cards = current()
    const key = cards.map(c => c.cid).join(',')
    if (key === loadedKey) return cards
    loading ??= (async () => {
      try {
        await router.setExperts(cards.map(c => ({ id: c.cid, name: c.name, domain: c.domain, description: c.description, exemplars: c.body.exemplars })), signal != null ? { signal } : {})
        loadedKey = key
        log('router loaded %d experts', cards.length)
        return cards
      } finally {
        loading = undefined
      }
    })()
    return loading
  }

  const explain = async (question: string, forced: string | undefined, signal?: AbortSignal): Promise<{ route: RouteExplanation, decision: RouteDecision, cards: Card[] }> => {
    const cards = await sync(signal)
    const decision = await router.route(question, signal != null ? { signal } : {})
    let expert = decision.choice != null ? { name: decision.choice.name, domain: decision.choice.domain } : null
    let reason = decision.reason
    if (forced != null) {
      const card = cards.find(c => c.name === forced)
      if (card == null) throw new ExpertNotFoundError(`no expert named "${forced}"`, { expertId: forced })
      reason = `forced by the caller; the router ${expert != null ? `would choose ${expert.name}` : 'would abstain'}: ${decision.reason}`
      expert = { name: card.name, domain: card.domain }
    }
    let experiences: RouteExplanation['experiences'] = []
    if (expert != null && parts.experiences != null) {
      const found = await parts.experiences.relevant(question, { domain: expert.domain, k: parts.experienceK ?? 3, ...(signal != null ? { signal } : {}) })
      experiences = found.map(e => ({ cid: e.cid, text: e.text, score: round(e.score) }))
    }
    const route: RouteExplanation = {
      question,
      expert,
      abstained: expert == null,
      forced: forced != null,
      scores: decision.scores.map(s => ({ name: s.name, domain: s.domain, score: round(s.score) })),
      threshold: round(decision.threshold),
      margin: round(decision.minMargin),
      reason,
      topExemplars: decision.topExemplars.map(e => ({ expert: e.name, q: e.q, score: round(e.score) })),
      experiences
    }
    return { route, decision, cards }
  }

  return {
    invalidate () {
      cached = undefined
    },
    async experts (options) {
      return (await sync(options?.signal)).map(({ body: _body, ...info }) => info)
    },
    async route (question, options) {
      return (await explain(question, options?.expert, options?.signal)).route
    },
    async ask (input, options) {
      const signal = options?.signal
      const question = lastUserMessage(input.messages)
      const { route, decision, cards } = await explain(question, input.expert, signal)
      let knowledge: KnowledgeRef | undefined
      if (route.expert != null) {
        const card = cards.find(c => c.name === route.expert?.name)!
        const scored = decision.choice?.id === card.cid
          ? decision.choiceExemplars
          : decision.topExemplars.filter(e => e.expertId === card.cid)
        const exemplars = scored.length > 0
          ? scored.map(e => ({ q: e.q, ...(e.a != null ? { a: e.a } : {}), score: e.score }))
          : card.body.exemplars.slice(0, 3)
        knowledge = { id: card.cid, name: card.name, domain: card.domain, exemplars }
        if (parts.resolveKnowledge != null) knowledge = await parts.resolveKnowledge(knowledge, signal != null ? { signal } : {})
      }
      parts.events?.publish({
        type: 'route',
        message: route.expert != null ? `routed "${clip(question)}" to ${route.expert.name}${route.forced ? ' (forced)' : ''}` : `abstained on "${clip(question)}"`,
        data: { expert: route.expert?.name ?? null, abstained: route.abstained }
      })
      const stream = await runtime.doStream({
        messages: input.messages,
        ...(knowledge != null ? { knowledge } : {}),
        experiences: route.experiences.map(e => ({ cid: e.cid, text: e.text })),
        ...(input.maxTokens != null ? { maxTokens: input.maxTokens } : {}),
        ...(input.temperature != null ? { temperature: input.temperature } : {}),
        ...(input.seed != null ? { seed: input.seed } : {}),
        ...(signal != null ? { signal } : {})
      })
      return { route, model: `${runtime.provider}/${runtime.modelId}`, parts: stream }
    }
  }
}

function round (x: number): number {
  return Math.round(x * 1e4) / 1e4
}

function clip (s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s
}
