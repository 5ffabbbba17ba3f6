/**
 * Input checks and prompt assembly shared by every runtime: the same bad input gets the same
 * named error whichever backend answers.
 */
import { DEFAULT_MAX_TOKENS, MAX_PROMPT_CHARS } from './constants.ts'
import { InvalidPromptError } from './errors.ts'
import type { ChatMessage, Experience, GenerateOptions } from './types.ts'

const ROLES = new Set(['system', 'user', 'assistant', 'tool'])

/** Throws {@link InvalidPromptError} for messages or options no runtime can use. */
export function validateGenerateOptions (options: GenerateOptions): void {
  const { messages } = options
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidPromptError('messages must be a non-empty array')
  }
  let chars = 0
  let nonEmpty = false
  for (const [i, m] of messages.entries()) {
    if (m == null || typeof m !== 'object' || !ROLES.has(m.role)) {
      throw new InvalidPromptError(`messages[${i}].role must be system, user, assistant or tool`)
    }
    if (typeof m.content !== 'string') {
      throw new InvalidPromptError(`messages[${i}].content must be a string`)
    }
    chars += m.content.length
    if (m.content.trim() !== '' || (m.toolCalls ?? []).length > 0) nonEmpty = true
  }
  for (const [i, s] of (options.stop ?? []).entries()) {
    if (typeof s !== 'string' || s === '') throw new InvalidPromptError(`stop[${i}] must be a non-empty string`)
  }
  if (!nonEmpty) throw new InvalidPromptError('every message is empty')
  if (chars > MAX_PROMPT_CHARS) {
    throw new InvalidPromptError(`prompt has ${chars} characters (limit ${MAX_PROMPT_CHARS})`)
  }
  checkInteger('maxTokens', options.maxTokens, 1)
  checkInteger('seed', options.seed, 0)
  if (options.temperature !== undefined && (!Number.isFinite(options.temperature) || options.temperature < 0)) {
    throw new InvalidPromptError('temperature must be a finite number >= 0')
  }
  for (const [i, a] of (options.adapters ?? []).entries()) {
    if (a == null || typeof a.name !== 'string' || a.name === '') {
      throw new InvalidPromptError(`adapters[${i}].name must be a non-empty string`)
    }
    if (a.scale !== undefined && !Number.isFinite(a.scale)) {
      throw new InvalidPromptError(`adapters[${i}].scale must be a finite number`)
    }
  }
}

function checkInteger (field: string, value: number | undefined, min: number): void {
  if (value === undefined) return
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidPromptError(`${field} must be an integer >= ${min}`)
  }
}

export function resolveMaxTokens (options: GenerateOptions): number {
  return options.maxTokens ?? DEFAULT_MAX_TOKENS
}

/**
 * The messages a model sees: experiences (learned lessons) join the system message, so every
 * backend gets the same prompt.
 */
export function messagesWithExperiences (messages: ChatMessage[], experiences: Experience[] | undefined): ChatMessage[] {
  if (experiences == null || experiences.length === 0) return messages
  const block = 'Lessons learned from earlier answers:\n' + experiences.map(e => `- ${e.text}`).join('\n')
  const first = messages[0]
  if (first?.role === 'system') {
    return [{ role: 'system', content: `${first.content}\n\n${block}` }, ...messages.slice(1)]
  }
  return [{ role: 'system', content: block }, ...messages]
}

/** The question being asked: the last user message (or the last message of any role). */
export function lastUserContent (messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m?.role === 'user') return m.content
  }
  return messages[messages.length - 1]?.content ?? ''
}

/** The text before the first stop sequence, and whether one was found. */
export function cutAtStop (text: string, stop: string[] | undefined): { text: string, stopped: boolean } {
  let end = -1
  for (const s of stop ?? []) {
    const i = text.indexOf(s)
    if (i >= 0 && (end < 0 || i < end)) end = i
  }
  return end < 0 ? { text, stopped: false } : { text: text.slice(0, end), stopped: true }
}

/** Whitespace-separated words: the "token" unit of runtimes that have no tokenizer. */
export function countWords (text: string): number {
  const t = text.trim()
  return t === '' ? 0 : t.split(/\s+/).length
}

/** Splits text into word pieces that join back to the text exactly (whitespace kept). */
export function splitWords (text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? []
}
