/**
 * A scripted LlmRuntime: a test double standing in for a real LLM, which no machine here can
 * run at useful quality. It answers with whatever `respond(messages, options)` returns, records
 * every call, counts whitespace-separated words as tokens and passes the runtime compliance
 * suite (test/runtime/scripted-runtime.test.ts), so code built on it behaves as it would on a
 * real runtime: streams, maxTokens, abort, close.
 *
 *   const rt = scriptedRuntime({ respond: (messages) => `echo: ${messages.at(-1)?.content}` })
 *   await rt.doGenerate({ messages: [{ role: 'user', content: 'hi' }] })
 *   rt.calls[0].options.messages // what the code under test sent
 */
import { logger } from '@libp2p/logger'
import { RuntimeClosedError } from '../../src/runtime/index.ts'
import { collectStream, textStream } from '../../src/runtime/part-stream.ts'
import { validateGenerateOptions } from '../../src/runtime/prompt.ts'
import type { ChatMessage, GenerateOptions, GenerateResult, LlmRuntime, StreamPart } from '../../src/runtime/index.ts'

const log = logger('baobab:test:scripted-runtime')

export type ScriptFn = (messages: ChatMessage[], options: GenerateOptions) => string | Promise<string>

export interface ScriptedRuntimeInit {
  /**
   * The answer: a function of the call, a fixed string, or a list used in turn (the last one
   * repeats). Default: echoes the last message.
   */
  respond?: ScriptFn | string | string[]
  provider?: string
  modelId?: string
  /** Warnings to report on every answer. */
  warnings?: string[]
}

export interface ScriptedCall {
  method: 'doGenerate' | 'doStream'
  options: GenerateOptions
  /** The answer before any maxTokens cut (absent when `respond` threw). */
  response?: string
}

export class ScriptedRuntime implements LlmRuntime {
  readonly specificationVersion = 'v1'
  readonly provider: string
  readonly modelId: string
  /** Every call in order, including ones that failed validation. */
  readonly calls: ScriptedCall[] = []
  closeCount = 0
  private readonly respond: ScriptFn
  private readonly warnings: string[]
  private closed = false

  constructor (init: ScriptedRuntimeInit = {}) {
    this.provider = init.provider ?? 'scripted'
    this.modelId = init.modelId ?? 'script'
    this.warnings = init.warnings ?? []
    const r = init.respond
    if (typeof r === 'function') this.respond = r
    else if (typeof r === 'string') this.respond = () => r
    else if (Array.isArray(r)) {
      let i = 0
      const list = r
      this.respond = () => list[Math.min(i++, list.length - 1)] ?? ''
    } else this.respond = (messages) => `echo: ${messages.at(-1)?.content ?? ''}`
  }

  async doGenerate (options: GenerateOptions): Promise<GenerateResult> {
    return collectStream(await this.start('doGenerate', options), options.signal)
  }

  async doStream (options: GenerateOptions): Promise<ReadableStream<StreamPart>> {
    return this.start('doStream', options)
  }

  async close (): Promise<void> {
    this.closeCount++
    this.closed = true
  }

  /** The options of the last call (throws when there was none). */
  lastCall (): GenerateOptions {
    const c = this.calls.at(-1)
    if (c == null) throw new Error('the scripted runtime was never called')
    return c.options
  }

  private async start (method: ScriptedCall['method'], options: GenerateOptions): Promise<ReadableStream<StreamPart>> {
    const call: ScriptedCall = { method, options }
    this.calls.push(call)
    if (this.closed) throw new RuntimeClosedError(this.provider)
    validateGenerateOptions(options)
    options.signal?.throwIfAborted()
    const response = await this.respond(options.messages, options)
    call.response = response
    return textStream(response, options, { log, warnings: [...this.warnings] })
  }
}

export function scriptedRuntime (init: ScriptedRuntimeInit = {}): ScriptedRuntime {
  return new ScriptedRuntime(init)
}
