/**
 * `GET /api/events`: the node's live activity (peers, sync, admission, routing) as SSE.
 * Each node event is a default (`message`) event whose data is the `NodeEvent`; a `ready`
 * event opens the stream and `ping` events keep idle connections alive.
 */
import { sseResponse } from './sse.ts'
import type { SseMessage } from './sse.ts'
import type { NodeEvent, NodeServices } from './types.ts'

export const EVENT_QUEUE_MAX = 1000
export const HEARTBEAT_MS = 15_000

export function eventStream (services: Pick<NodeServices, 'subscribe'>, heartbeatMs = HEARTBEAT_MS): Response {
  const queue: NodeEvent[] = []
  let wake: (() => void) | undefined
  let closed = false
  const unsubscribe = services.subscribe((e) => {
    queue.push(e)
    // A slow reader loses the oldest events rather than growing the queue without bound.
    if (queue.length > EVENT_QUEUE_MAX) queue.shift()
    wake?.()
  })
  const close = (): void => {
    if (!closed) unsubscribe()
    closed = true
    wake?.()
  }

  async function * events (): AsyncGenerator<SseMessage, void, void> {
    try {
      yield { event: 'ready', data: { time: Date.now() } }
      while (!closed) {
        if (queue.length === 0) {
          let timer: NodeJS.Timeout | undefined
          await new Promise<void>((resolve) => {
            wake = resolve
            timer = setTimeout(resolve, heartbeatMs)
            timer.unref()
          })
          clearTimeout(timer)
          wake = undefined
          if (queue.length === 0) {
            if (!closed) yield { event: 'ping', data: { time: Date.now() } }
            continue
          }
        }
        const e = queue.shift()
        if (e != null) yield { data: e }
      }
    } finally {
      close()
    }
  }

  return sseResponse(events(), { onCancel: close })
}
