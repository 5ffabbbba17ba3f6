/**
 * A small fan-out for `NodeEvent`s: components (through node.ts) `publish`, the API's SSE
 * endpoint and the dashboard `subscribe`. A listener that throws is logged and kept apart
 * from the others.
 */
import { logger } from '@libp2p/logger'
import type { NodeEvent } from './types.ts'

const log = logger('baobab:api:events')

export class EventHub {
  private readonly listeners = new Set<(event: NodeEvent) => void>()

  subscribe (listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  publish (event: Omit<NodeEvent, 'time'> & { time?: number }): void {
    const e: NodeEvent = { ...event, time: event.time ?? Date.now() }
    for (const l of this.listeners) {
      try {
        l(e)
      } catch (err) {
        log.error('event listener failed: %e', err)
      }
    }
  }

  get size (): number {
    return this.listeners.size
  }
}
