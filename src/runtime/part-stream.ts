/**
 * Turns a pull-based text producer into the `ReadableStream<StreamPart>` every runtime returns,
 * and collects such a stream back into a `GenerateResult`.
 *
 * Order: `text-start`, `text-delta`*, `text-end`, then `finish` (successful or aborted);
 * on failure `text-end`, `error`, `finish{finishReason:'error'}`. Nothing is produced ahead
 * of the reader (high-water mark 0), and cancelling the reader stops the producer.
 */
import { countWords, cutAtStop, splitWords } from './prompt.ts'
import type { Logger } from '@libp2p/logger'
import type { FinishReason, GenerateOptions, GenerateResult, StreamPart, ToolCall, Usage } from './types.ts'

/** Yields text deltas, keeps `usage` up to date as it goes, returns why it stopped. */
export type TextProducer = (usage: Usage) => AsyncGenerator<string, FinishReason, void>

export interface PartStreamInit {
  signal?: AbortSignal
  log: Logger
  /** Read when the stream finishes, so a producer may still add to it. */
  warnings?: string[]
  retrieved?: boolean
  /** Called exactly once when the stream is over (finished, failed or cancelled). */
  onDone?: () => void
  /** Input tokens, known before generation starts. */
  inputTokens?: number
  /** Read when the stream finishes: each becomes a `tool-call` part before `finish`. */
  toolCalls?: ToolCall[]
}

export function partStream (produce: TextProducer, init: PartStreamInit): ReadableStream<StreamPart> {
  const usage: Usage = { inputTokens: init.inputTokens ?? 0, outputTokens: 0 }
  let gen: AsyncGenerator<string, FinishReason, void> | undefined
  let started = false
  let over = false

  const aborted = (): boolean => init.signal?.aborted === true
  const done = (): void => {
    if (over) return
    over = true
    init.onDone?.()
  }
  const finishPart = (finishReason: FinishReason): StreamPart => {
    const part: StreamPart = { type: 'finish', finishReason, usage: { ...usage } }
    if (init.warnings != null && init.warnings.length > 0) part.warnings = [...init.warnings]
    if (init.retrieved === true) part.retrieved = true
    return part
  }
  const stopProducer = async (): Promise<void> => {
    try {
      await gen?.return(undefined as never)
    } catch (err) {
      init.log.error('producer failed while stopping: %e', err)
    }
  }

  return new ReadableStream<StreamPart>({
    pull: async (controller) => {
      if (over) return
      if (!started) {
        started = true
        controller.enqueue({ type: 'text-start' })
        return
      }
      try {
        while (true) {
          if (aborted()) {
            await stopProducer()
            controller.enqueue({ type: 'text-end' })
            controller.enqueue(finishPart('abort'))
            break
          }
          gen ??= produce(usage)
          const r = await gen.next()
          if (r.done === true) {
            controller.enqueue({ type: 'text-end' })
            for (const toolCall of aborted() ? [] : init.toolCalls ?? []) controller.enqueue({ type: 'tool-call', toolCall })
            controller.enqueue(finishPart(aborted() ? 'abort' : r.value))
            break
          }
          if (r.value === '' || aborted()) continue
          controller.enqueue({ type: 'text-delta', delta: r.value })
          return
        }
      } catch (err) {
        if (aborted()) {
          controller.enqueue({ type: 'text-end' })
          controller.enqueue(finishPart('abort'))
        } else {
          init.log.error('generation failed: %e', err)
          controller.enqueue({ type: 'text-end' })
          controller.enqueue({ type: 'error', error: err })
          controller.enqueue(finishPart('error'))
        }
      }
      done()
      controller.close()
    },
    cancel: async () => {
      await stopProducer()
      done()
    }
  }, new CountQueuingStrategy({ highWaterMark: 0 }))
}

/**
 * Reads a part stream to the end. Rejects with the stream's `error` part, or with
 * `signal.reason` when the stream ended because the signal aborted.
 */
/**
 * Streams finished text word by word (a stored or scripted answer), one token per word, cut
 * before the first of `options.stop` and at `options.maxTokens` when given; input tokens are
 * the words of the messages.
 */
export function textStream (text: string, options: GenerateOptions, init: Omit<PartStreamInit, 'inputTokens' | 'signal'>): ReadableStream<StreamPart> {
  const pieces = splitWords(cutAtStop(text, options.stop).text)
  const maxTokens = options.maxTokens ?? Infinity // stored/scripted text is not cut unless asked
  return partStream(async function * (usage) {
    for (const piece of pieces) {
      if (usage.outputTokens >= maxTokens) return 'length'
      usage.outputTokens++
      yield piece
    }
    return 'stop'
  }, {
    ...init,
    inputTokens: options.messages.reduce((n, m) => n + countWords(m.content), 0),
    ...(options.signal != null ? { signal: options.signal } : {})
  })
}

export async function collectStream (stream: ReadableStream<StreamPart>, signal?: AbortSignal): Promise<GenerateResult> {
  let text = ''
  let finish: Extract<StreamPart, { type: 'finish' }> | undefined
  let failure: { error: unknown } | undefined
  const toolCalls: ToolCall[] = []
  for await (const part of stream) {
    if (part.type === 'text-delta') text += part.delta
    else if (part.type === 'tool-call') toolCalls.push(part.toolCall)
    else if (part.type === 'error') failure = { error: part.error }
    else if (part.type === 'finish') finish = part
  }
  if (failure != null) throw failure.error
  if (finish == null) throw new Error('stream ended without a finish part')
  if (finish.finishReason === 'abort' && signal?.aborted === true) throw signal.reason
  const result: GenerateResult = {
    text,
    finishReason: finish.finishReason,
    usage: finish.usage,
    warnings: finish.warnings ?? []
  }
  if (finish.retrieved === true) result.retrieved = true
  if (toolCalls.length > 0) result.toolCalls = toolCalls
  return result
}
