/**
 * Server-sent events as a pull-based `ReadableStream`: nothing is produced ahead of the
 * client, and a client that goes away cancels the source (which stops the runtime).
 */
import { logger } from '@libp2p/logger'
import { errorBody, httpErrorFor } from './error-map.ts'

const log = logger('baobab:api:sse')
const enc = new TextEncoder()

export interface SseMessage {
  event?: string
  /** Serialised with JSON.stringify unless it is already a string. */
  data: unknown
}

export function sseFrame (m: SseMessage): Uint8Array {
  const data = typeof m.data === 'string' ? m.data : JSON.stringify(m.data)
  const lines = data.split('\n').map(l => `data: ${l}`).join('\n')
  return enc.encode(`${m.event != null ? `event: ${m.event}\n` : ''}${lines}\n\n`)
}

export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no'
}

/**
 * Builds an SSE response from an async generator of messages. An error thrown by the
 * generator becomes one final `error` message (OpenAI shape), logged, never a stack trace.
 */
export function sseResponse (source: AsyncGenerator<SseMessage, void, void>, options: { errorEvent?: string, onCancel?: () => void } = {}): Response {
  let finished = false
  const body = new ReadableStream<Uint8Array>({
    async pull (controller) {
      if (finished) return
      try {
        const { done, value } = await source.next()
        if (done) {
          finished = true
          controller.close()
          return
        }
        controller.enqueue(sseFrame(value))
      } catch (err) {
        finished = true
        log('stream failed: %s', (err as Error)?.name)
        const h = httpErrorFor(err)
        controller.enqueue(sseFrame({ event: options.errorEvent, data: errorBody(h) }))
        controller.close()
      }
    },
    cancel () {
      finished = true
      // The generator may be parked waiting for data: wake it first, then let it finish.
      options.onCancel?.()
      source.return().catch((err: unknown) => { log('source failed while closing: %s', (err as Error)?.name) })
    }
  }, { highWaterMark: 0 })
  return new Response(body, { status: 200, headers: SSE_HEADERS })
}
