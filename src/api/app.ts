/**
 * `createApi(services, options)`: the Hono app with the OpenAI-compatible `/v1`, the node API
 * under `/api`, `/openapi.json` and the dashboard at `/`. Guards run on every request in this
 * order: rate limit, Host and Origin allow-lists (then CORS: preflights end there), token,
 * the Content-Type of writes, then the route; every error goes through one `onError`.
 */
import { logger } from '@libp2p/logger'
import { Hono } from 'hono'
import { readWebAsset, WEB_CSP } from '../web/index.ts'
import { errorBody, httpErrorFor } from './error-map.ts'
import { InvalidApiOptionsError, RouteNotFoundError } from './errors.ts'
import { nodeRoutes } from './node-routes.ts'
import { openapiDocument } from './openapi.ts'
import { openaiRoutes } from './openai-routes.ts'
import { gateMiddleware, RequestGate, writeContentType } from './request-gate.ts'
import { checkToken, DEFAULT_RATE_LIMIT, presentedToken, TOKEN_COOKIE, TokenBuckets, tokenMatches } from './security.ts'
import type { ApiLimits } from './context.ts'
import type { GateOptions } from './request-gate.ts'
import type { RateLimitOptions } from './security.ts'
import type { NodeServices } from './types.ts'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

const log = logger('baobab:api:app')

export interface ApiOptions extends GateOptions {
  /** Bearer token required on every request (required by `serveApi` off loopback). */
  token?: string
  /** Per-client token bucket; `false` turns it off. Default 120 burst, 60/s. */
  rateLimit?: RateLimitOptions | false
  /** Default 1 MiB. */
  maxBodyBytes?: number
  /** Default 32,000 characters over all messages. */
  maxPromptChars?: number
  /** Time limit for one request's work. Default 120 s. */
  requestTimeoutMs?: number
  /** Serve the dashboard at `/` (default true). */
  web?: boolean
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
export const DEFAULT_MAX_PROMPT_CHARS = 32_000
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000

/** Options of apps built by `createApi`, read by `serveApi` to enforce the token rule. */
const APP_OPTIONS = new WeakMap<object, { tokenRequired: boolean, gate: RequestGate }>()

export function appTokenRequired (app: object): boolean {
  return APP_OPTIONS.get(app)?.tokenRequired ?? false
}

/** The Host/Origin allow-lists of an app built by `createApi` (`serveApi` adds its bind address). */
export function appGate (app: object): RequestGate | undefined {
  return APP_OPTIONS.get(app)?.gate
}

export function createApi (services: NodeServices, options: ApiOptions = {}): Hono {
  const limits: ApiLimits = {
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    maxPromptChars: positive('maxPromptChars', options.maxPromptChars ?? DEFAULT_MAX_PROMPT_CHARS),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
  }
  const token = options.token
  if (token != null && token.length < 16) throw new InvalidApiOptionsError('token', 'must be at least 16 characters')
  const buckets = options.rateLimit === false ? undefined : new TokenBuckets(options.rateLimit ?? DEFAULT_RATE_LIMIT)

  const gate = new RequestGate(options)

  const app = new Hono()
  APP_OPTIONS.set(app, { tokenRequired: token != null, gate })

  app.onError((err, c) => {
    const h = httpErrorFor(err)
    if (h.status >= 500) log.error('%s %s failed: %s', c.req.method, c.req.path, (err as Error)?.name)
    for (const [k, v] of Object.entries(h.headers)) c.header(k, v)
    return c.json(errorBody(h), h.status as ContentfulStatusCode)
  })
  app.notFound((c) => { throw new RouteNotFoundError(c.req.method, c.req.path) })

  app.use(async (c, next) => {
    c.header('x-content-type-options', 'nosniff')
    c.header('referrer-policy', 'no-referrer')
    buckets?.take(clientKey(c))
    await next()
  })
  app.use(...gateMiddleware(gate))
  app.use(async (c, next) => {
    if (token != null) {
      const fromQuery = c.req.method === 'GET' ? c.req.query('token') : undefined
      if (fromQuery != null && tokenMatches(fromQuery, token)) {
        // Dashboard login link: keep the token in an HttpOnly cookie, drop it from the URL.
        c.header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`)
        return c.redirect(c.req.path, 303)
      }
      checkToken(presentedToken(c.req.header('authorization'), c.req.header('cookie')), token)
    }
    await next()
  })
  app.use(writeContentType)

  app.route('/v1', openaiRoutes({ services, limits }))
  app.route('/api', nodeRoutes({ services, limits }))
  app.get('/openapi.json', (c) => c.json(openapiDocument()))
  app.get('/healthz', (c) => c.json({ ok: true }))
  if (options.web !== false) {
    app.get('/*', async (c) => {
      const asset = await readWebAsset(c.req.path)
      if (asset == null) throw new RouteNotFoundError(c.req.method, c.req.path)
      c.header('content-security-policy', WEB_CSP)
      c.header('x-frame-options', 'DENY')
      c.header('cache-control', 'no-cache')
      return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': asset.contentType })
    })
  }
  return app
}

/** The client's address when served by @hono/node-server; in-process requests share one key. */
function clientKey (c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress ?? 'in-process'
}

function positive (name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new InvalidApiOptionsError(name, 'must be a positive number')
  return v
}
