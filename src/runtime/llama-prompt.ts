/**
 * Chat formatting and incremental decoding for the llama runtime. A model whose GGUF carries a
 * chat template gets the matching node-llama-cpp chat wrapper; one without (like the tiny test
 * model) falls back to a plain "### Human / ### Assistant" template.
 */
import type { ChatHistoryItem, ChatWrapper, LlamaModel, LlamaText, Token } from 'node-llama-cpp'

/** node-llama-cpp, imported lazily (it takes about a second to load). */
export type NodeLlamaCpp = typeof import('node-llama-cpp')
import type { ChatMessage } from './types.ts'

export function chatWrapperFor (nlc: NodeLlamaCpp, model: LlamaModel): { wrapper: ChatWrapper, template: 'model' | 'plain' } {
  const md = model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }
  if (typeof md.tokenizer?.chat_template === 'string') {
    const wrapper = nlc.resolveChatWrapper(model, { fallbackToOtherWrappersOnJinjaError: true })
    if (wrapper != null) return { wrapper, template: 'model' }
  }
  return { wrapper: new nlc.GeneralChatWrapper(), template: 'plain' }
}

export interface FormattedPrompt {
  tokens: Token[]
  /** Text stop triggers (special-token triggers are caught as end-of-generation tokens). */
  stops: string[]
}

/**
 * The prompt tokens and stop triggers for a conversation. Tool calls and tool results are written
 * as text turns (`[called name(args)]`, `[result of name]: …`), which every chat format can carry.
 */
export function formatChat (nlc: NodeLlamaCpp, wrapper: ChatWrapper, model: LlamaModel, messages: ChatMessage[], stop: string[] = []): FormattedPrompt {
  const chatHistory: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    if (m.role === 'system') return { type: 'system', text: m.content }
    if (m.role === 'user') return { type: 'user', text: m.content }
    if (m.role === 'tool') return { type: 'user', text: `[result of ${m.name ?? m.toolCallId ?? 'tool'}]: ${m.content}` }
    const calls = (m.toolCalls ?? []).map(c => `[called ${c.name}(${c.arguments})]`)
    return { type: 'model', response: [[m.content, ...calls].filter(t => t !== '').join('\n')] }
  })
  chatHistory.push({ type: 'model', response: [] })
  const state = wrapper.generateContextState({ chatHistory })
  const stops = new Set<string>(stop)
  for (const trigger of state.stopGenerationTriggers) {
    const s = textOnly(nlc, trigger)
    if (s != null && s !== '') stops.add(s)
  }
  return { tokens: state.contextText.tokenize(model.tokenizer), stops: [...stops] }
}

/** The trigger as plain text, or null when it contains a special token. */
function textOnly (nlc: NodeLlamaCpp, text: LlamaText): string | null {
  let out = ''
  for (const v of text.values) {
    if (typeof v === 'string') out += v
    else if (v instanceof nlc.SpecialTokensText) out += v.value
    else return null
  }
  return out
}

/**
 * Turns generated tokens into text deltas: waits out partial UTF-8 sequences and holds back
 * text that might be the start of a stop trigger.
 */
export class IncrementalDecoder {
  private readonly model: LlamaModel
  private readonly stops: string[]
  private readonly context: Token[]
  private pending: Token[] = []
  private buffer = ''
  private emittedAny = false
  /** True once a stop trigger was seen; no more text follows. */
  stopped = false

  constructor (model: LlamaModel, stops: string[], promptTail: Token[]) {
    this.model = model
    this.stops = stops
    this.context = promptTail.slice(-8)
  }

  /** Adds a token and returns the text that is now safe to emit (maybe ''). */
  push (token: Token): string {
    if (this.stopped) return ''
    this.pending.push(token)
    const piece = this.model.detokenize(this.pending, false, this.context)
    if (piece.endsWith('\uFFFD') && this.pending.length < 4) return ''
    this.context.push(...this.pending)
    if (this.context.length > 8) this.context.splice(0, this.context.length - 8)
    this.pending = []
    this.buffer += piece
    for (const stop of this.stops) {
      const i = this.buffer.indexOf(stop)
      if (i >= 0) {
        this.stopped = true
        const out = this.buffer.slice(0, i)
        this.buffer = ''
        return this.emit(out)
      }
    }
    const hold = this.heldBack()
    const out = this.buffer.slice(0, this.buffer.length - hold)
    this.buffer = this.buffer.slice(this.buffer.length - hold)
    return this.emit(out)
  }

  /** Everything still held (end of generation). */
  flush (): string {
    if (this.stopped) return ''
    if (this.pending.length > 0) {
      this.buffer += this.model.detokenize(this.pending, false, this.context)
      this.pending = []
    }
    const out = this.buffer
    this.buffer = ''
    return this.emit(out)
  }

  private emit (text: string): string {
    if (this.emittedAny) return text
    const trimmed = text.trimStart()
    if (trimmed !== '') this.emittedAny = true
    return trimmed
  }

  /** Length of the longest buffer suffix that is a proper prefix of a stop trigger. */
  private heldBack (): number {
    let best = 0
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, this.buffer.length); n > best; n--) {
        if (this.buffer.endsWith(stop.slice(0, n))) {
          best = n
          break
        }
      }
    }
    return best
  }
}
