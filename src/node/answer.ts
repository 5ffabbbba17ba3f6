/**
 * Answering one question: route → pick the expert's knowledge (exemplars, LoRA file) → add the
 * relevant experiences → generate with the runtime. The one code path behind `baobab ask`,
 * `/v1/chat/completions`, `/api/ask`, MCP `ask` and the demo.
 */
import { routeConversation } from './conversation-route.ts'
import { loraFile, trustedExperts } from './experts.ts'
import type { ExpertRecord } from './experts.ts'
import type { Library } from '../library/index.ts'
import type { RelevantExperience, ExperienceSource } from '../learn/index.ts'
import { ExpertNotFoundError, InvalidQuestionError } from '../router/index.ts'
import type { RouteDecision, Router } from '../router/index.ts'
import type { ChatMessage, GenerateOptions, GenerateResult, KnowledgeRef, LlmRuntime, StreamPart } from '../runtime/index.ts'

/** Request fields passed to the runtime as they are. */
type Passed = Pick<GenerateOptions, 'tools' | 'toolChoice' | 'responseFormat' | 'stop'>

/** Kept importable from here; the router owns them. */
export { ExpertNotFoundError, InvalidQuestionError }

export interface AnswerParts {
  library: Library
  home: string
  router: Router
  runtime: LlmRuntime
  experiences: ExperienceSource
}

export interface AnswerOptions extends Passed {
  /** Force this expert by name instead of routing. */
  expert?: string
  maxTokens?: number
  temperature?: number
  seed?: number
  signal?: AbortSignal
}

export interface PreparedAnswer {
  question: string
  decision: RouteDecision
  /** Indices of the user turns the decision was made on, the last turn first. */
  turns: number[]
  forced: boolean
  expert: ExpertRecord | null
  knowledge: KnowledgeRef | undefined
  experiences: RelevantExperience[]
  request: GenerateOptions
}

export interface Answer extends PreparedAnswer {
  result: GenerateResult
}

function lastUserMessage (messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user' && messages[i]!.content.trim() !== '') return messages[i]!.content
  throw new InvalidQuestionError(0, 'the conversation has no user message to answer')
}

export async function prepareAnswer (parts: AnswerParts, messages: ChatMessage[], options: AnswerOptions = {}): Promise<PreparedAnswer> {
  const question = lastUserMessage(messages)
  const signalOpt = options.signal != null ? { signal: options.signal } : {}
  const { decision, turns } = await routeConversation(parts.router, messages, signalOpt)
  let expert: ExpertRecord | null = null
  let forced = false
  if (options.expert != null) {
    expert = trustedExperts(parts.library).find(e => e.name === options.expert) ?? null
    if (expert == null) throw new ExpertNotFoundError(options.expert, `no trusted expert named "${options.expert}"`)
    forced = true
  } else if (decision.choice != null) {
    expert = trustedExperts(parts.library).find(e => e.cid === decision.choice!.id) ?? null
  }
  let knowledge: KnowledgeRef | undefined
  if (expert != null) {
    const fromDecision = (forced ? decision.topExemplars : decision.choiceExemplars).filter(x => x.expertId === expert.cid)
    const exemplars = fromDecision.length > 0
      ? fromDecision.map(x => ({ q: x.q, ...(x.a != null ? { a: x.a } : {}), score: x.score }))
      : expert.body.exemplars.slice(0, 3)
    const lora = loraFile(parts.library, parts.home, expert)
    knowledge = { id: expert.cid, name: expert.name, domain: expert.domain, exemplars, ...(lora != null ? { loraPath: lora } : {}) }
  }
  const experiences = await parts.experiences.relevant(question, { domain: expert?.domain ?? null, k: 3, tokenBudget: 200, minScore: 0.15, ...signalOpt })
  const request: GenerateOptions = {
    messages: parts.runtime.provider === 'retrieval' ? messages : withKnowledge(messages, knowledge),
    ...(knowledge != null ? { knowledge } : {}),
    experiences: experiences.map(e => ({ cid: e.cid, text: e.text })),
    ...(options.maxTokens != null ? { maxTokens: options.maxTokens } : {}),
    ...(options.temperature != null ? { temperature: options.temperature } : {}),
    ...(options.seed != null ? { seed: options.seed } : {}),
    ...passed(options),
    ...signalOpt
  }
  return { question, decision, turns, forced, expert, knowledge, experiences, request }
}

export async function answer (parts: AnswerParts, messages: ChatMessage[], options: AnswerOptions = {}): Promise<Answer> {
  const prepared = await prepareAnswer(parts, messages, options)
  return { ...prepared, result: await parts.runtime.doGenerate(prepared.request) }
}

export async function answerStream (
  parts: AnswerParts, messages: ChatMessage[], options: AnswerOptions = {}
): Promise<PreparedAnswer & { parts: ReadableStream<StreamPart> }> {
  const prepared = await prepareAnswer(parts, messages, options)
  return { ...prepared, parts: await parts.runtime.doStream(prepared.request) }
}

function passed (o: Passed): Passed {
  const out: Passed = {}
  if (o.tools != null) out.tools = o.tools
  if (o.toolChoice != null) out.toolChoice = o.toolChoice
  if (o.responseFormat != null) out.responseFormat = o.responseFormat
  if (o.stop != null) out.stop = o.stop
  return out
}

/** For model runtimes: the expert's best exemplar answers as reference in the system prompt. */
function withKnowledge (messages: ChatMessage[], knowledge: KnowledgeRef | undefined): ChatMessage[] {
  const refs = (knowledge?.exemplars ?? []).filter(e => e.a != null && e.a !== '').slice(0, 3)
  if (knowledge == null || refs.length === 0) return messages
  const text = `Reference answers from the ${knowledge.domain} expert "${knowledge.name}":\n` +
    refs.map(e => `Q: ${e.q}\nA: ${e.a ?? ''}`).join('\n')
  return [{ role: 'system', content: text }, ...messages]
}
