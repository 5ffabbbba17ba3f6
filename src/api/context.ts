/** What every route module receives: the node's services and the resolved limits. */
import type { NodeServices } from './types.ts'
import type { Context } from 'hono'

export interface ApiLimits {
  /** Largest request body accepted (bytes). */
  maxBodyBytes: number
  /** Longest prompt (characters over all messages). */
  maxPromptChars: number
  /** Time limit for one request's work (answers, sync). */
  requestTimeoutMs: number
}

export interface RouteDeps {
  services: NodeServices
  limits: ApiLimits
}

/** The request's own abort signal (client went away) combined with the time limit. */
export function requestSignal (c: Context, timeoutMs: number): AbortSignal {
  return AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(timeoutMs)])
}
