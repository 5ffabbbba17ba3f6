/** Collects an answer stream (`AskStream.parts`) into one `AskResult`; shared by API and MCP. */
import type { AskResult, AskStream, ToolCall } from './types.ts'
import type { FinishReason, Usage } from '../runtime/index.ts'

export async function collectAnswer (answer: AskStream, signal?: AbortSignal): Promise<AskResult> {
  const reader = answer.parts.getReader()
  const onAbort = (): void => { reader.cancel(signal?.reason).catch(() => {}) }
  signal?.addEventListener('abort', onAbort, { once: true })
  let text = ''
  let finishReason: FinishReason = 'stop'
  let usage: Usage = { inputTokens: 0, outputTokens: 0 }
  let warnings: string[] = []
  let retrieved = false
  const toolCalls: ToolCall[] = []
  try {
    for (;;) {
      signal?.throwIfAborted()
      const { done, value } = await reader.read()
      if (done) break
      if (value.type === 'text-delta') text += value.delta
      else if (value.type === 'tool-call') toolCalls.push(value.toolCall)
      else if (value.type === 'error') throw value.error
      else if (value.type === 'finish') {
        finishReason = value.finishReason
        usage = value.usage
        warnings = value.warnings ?? []
        retrieved = value.retrieved === true
      }
    }
    signal?.throwIfAborted()
  } catch (err) {
    await reader.cancel(err).catch(() => {})
    throw err
  } finally {
    signal?.removeEventListener('abort', onAbort)
    reader.releaseLock()
  }
  return { route: answer.route, model: answer.model, text, finishReason, usage, warnings, retrieved, toolCalls }
}
