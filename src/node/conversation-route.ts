/**
 * Routing a conversation, not just its last line. The last user turn is routed on its own and
 * again with the earlier user turns (most recent first) as context, the last turn weighted twice.
 * When both agree, or the context adds nothing, the last turn decided alone; otherwise the
 * conversation decides, so a follow-up without domain words ("About a week, and one has a runny
 * nose") stays with the expert of the ongoing conversation, while a clear change of topic
 * outweighs the context and switches expert.
 */
import type { RouteDecision, Router } from '../router/index.ts'
import type { ChatMessage } from '../runtime/index.ts'

/** Earlier user turns used as context (most recent first). */
export const CONTEXT_TURNS = 2

export interface ConversationRoute {
  decision: RouteDecision
  /** Indices of the user turns the decision was made on, the last turn first. */
  turns: number[]
}

/** Indices of the non-empty user turns, in order. */
export function userTurns (messages: ChatMessage[]): number[] {
  const out: number[] = []
  for (const [i, m] of messages.entries()) if (m.role === 'user' && m.content.trim() !== '') out.push(i)
  return out
}

export async function routeConversation (router: Router, messages: ChatMessage[], options: { signal?: AbortSignal } = {}): Promise<ConversationRoute> {
  const turns = userTurns(messages)
  const last = turns[turns.length - 1]
  if (last == null) throw new Error('routeConversation needs a user turn') // callers check first
  const alone = await router.route(messages[last]!.content, options)
  const earlier = turns.slice(0, -1).reverse().slice(0, CONTEXT_TURNS)
  if (earlier.length === 0) return { decision: alone, turns: [last] }
  // the last turn counts twice, the earlier ones once: a follow-up without domain words stays with
  // the conversation's expert, while a question that clearly names another topic outweighs them
  const text = [last, last, ...earlier].map(i => messages[i]!.content).join('\n')
  const withContext = await router.route(text, options)
  if (withContext.choice == null || withContext.choice.name === alone.choice?.name) return { decision: alone, turns: [last] }
  return { decision: withContext, turns: [last, ...earlier] }
}
