/**
 * Who may call the API: the user's own programs and pages, not every web page the user visits.
 * - `Host` must name this server: a loopback name or address, an address (or the host name) of
 *   the address it listens on, or a configured name (`http.allowedHosts`); else 403. This stops
 *   DNS rebinding, where a page's own name is pointed at 127.0.0.1.
 * - `Origin`, when sent, must be the server's own origin (the dashboard) or a configured one
 *   (`http.allowedOrigins`); else 403. Configured origins get CORS answers, no one else does.
 * - Writes (POST, PUT, PATCH, DELETE) must say `Content-Type: application/json` (or a binary
 *   artifact type where an endpoint takes raw bytes); else 415. A cross-site form or a
 *   "simple" `fetch` cannot send those without a preflight, which foreign origins fail.
 */
import { hostname, networkInterfaces } from 'node:os'
import { isIP } from 'node:net'
import { logger } from '@libp2p/logger'
import { cors } from 'hono/cors'
import { ForbiddenHostError, ForbiddenOriginError, InvalidApiOptionsError, UnsupportedMediaTypeError } from './errors.ts'
import { isLoopbackHost } from './security.ts'
import type { Context, MiddlewareHandler } from 'hono'

const log = logger('baobab:api:gate')

export interface GateOptions {
  /** Host names (no port) the API also answers to, e.g. a reverse proxy's; `*` turns the Host check off. */
  allowedHosts?: string[]
  /** Origins (`scheme://host[:port]`) whose pages may call the API, with CORS; `*` allows every origin. */
  allowedOrigins?: string[]
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** Endpoints that take raw artifact bytes besides JSON. */
const BINARY_WRITES: ReadonlyMap<string, readonly string[]> = new Map([['/api/library', ['application/octet-stream', 'application/cbor']]])

/** Lower-cased host name without port or IPv6 brackets; `''` when there is none. */
export function hostName (host: string): string {
  const h = host.trim().toLowerCase()
  const v6 = /^\[([^\]]*)\](?::\d*)?$/.exec(h)
  if (v6 != null) return v6[1]!
  if (isIP(h) === 6) return h
  return h.replace(/:\d*$/, '').replace(/\.$/, '')
}

/** Checks configured host names; returns them lower-cased. */
export function parseAllowedHosts (list: readonly string[]): string[] {
  return list.map(entry => {
    const h = entry === '*' ? '*' : hostName(entry)
    if (h !== '*' && !/^[a-z0-9_.-]{1,253}$/.test(h) && isIP(h) === 0) throw new InvalidApiOptionsError('http.allowedHosts', `"${entry}" is not a host name or address`)
    return h
  })
}

/** Checks configured origins; returns them as browsers send them (`scheme://host[:port]`). */
export function parseAllowedOrigins (list: readonly string[]): string[] {
  return list.map(entry => {
    if (entry === '*') return '*'
    let url: URL | undefined
    try { url = new URL(entry) } catch { url = undefined }
    if (url == null || !['http:', 'https:'].includes(url.protocol) || url.origin !== entry.replace(/\/$/, '').toLowerCase()) {
      throw new InvalidApiOptionsError('http.allowedOrigins', `"${entry}" is not an origin like http://localhost:3000 (scheme, host and port only)`)
    }
    return url.origin
  })
}

/** The Host and Origin allow-lists of one app; `serveApi` adds the names of the address it binds. */
export class RequestGate {
  private readonly hosts: Set<string>
  private readonly origins: Set<string>
  private readonly bound = new Set<string>()
  private anyAddress = false

  constructor (options: GateOptions = {}) {
    this.hosts = new Set(parseAllowedHosts(options.allowedHosts ?? []))
    this.origins = new Set(parseAllowedOrigins(options.allowedOrigins ?? []))
  }

  /** The server listens on `host`: its address, or for 0.0.0.0/:: every local address and the host name. */
  bind (host: string): void {
    const h = hostName(host)
    if (h === '0.0.0.0' || h === '::') {
      this.anyAddress = true
      const name = hostname().toLowerCase()
      this.bound.add(name)
      if (!name.includes('.')) this.bound.add(`${name}.local`)
    } else {
      this.bound.add(h)
    }
  }

  hostAllowed (host: string): boolean {
    const h = hostName(host)
    if (h === '') return false
    if (this.hosts.has('*')) return true
    if (isLoopbackHost(h) || h.endsWith('.localhost') || this.bound.has(h) || this.hosts.has(h)) return true
    // read now, not at bind time: addresses come and go (DHCP, Wi-Fi)
    return this.anyAddress && isIP(h) !== 0 && Object.values(networkInterfaces()).some(list => list?.some(a => a.address.toLowerCase() === h) === true)
  }

  /** A configured origin (gets CORS headers). */
  originConfigured (origin: string): boolean {
    return this.origins.has('*') || this.origins.has(origin.toLowerCase())
  }

  /** Same origin as the request (the dashboard), or configured. */
  originAllowed (origin: string, requestUrl: string, host: string): boolean {
    if (this.originConfigured(origin)) return true
    try {
      return new URL(origin).origin === new URL(`${new URL(requestUrl).protocol}//${host}`).origin
    } catch {
      return false // "null" (sandboxed frames, file:) and other non-URLs
    }
  }
}

/** The `Host` a request was sent with; in-process requests (`app.request`) without one use the URL's. */
export function requestHost (c: Context): string {
  return c.req.header('host') ?? new URL(c.req.url).host
}

/** Host and Origin checks, then CORS for configured origins (preflights end here). */
export function gateMiddleware (gate: RequestGate): MiddlewareHandler[] {
  const check: MiddlewareHandler = async (c, next) => {
    const host = requestHost(c)
    if (!gate.hostAllowed(host)) {
      log('refused %s %s: Host %s is not a name of this server', c.req.method, c.req.path, host.slice(0, 200))
      throw new ForbiddenHostError(host)
    }
    const origin = c.req.header('origin')
    if (origin != null && !gate.originAllowed(origin, c.req.url, host)) {
      log('refused %s %s from a page of %s (not in http.allowedOrigins)', c.req.method, c.req.path, origin.slice(0, 200))
      throw new ForbiddenOriginError(origin)
    }
    await next()
  }
  const corsFor = cors({
    origin: (origin) => origin !== '' && gate.originConfigured(origin) ? origin : null,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['authorization', 'content-type', 'accept'],
    exposeHeaders: ['retry-after', 'www-authenticate'],
    maxAge: 600
  })
  return [check, corsFor]
}

/** Writes must declare JSON (or a binary artifact type where the endpoint takes bytes). */
export const writeContentType: MiddlewareHandler = async (c, next) => {
  if (WRITE_METHODS.has(c.req.method)) {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    const accepted = ['application/json', ...(BINARY_WRITES.get(c.req.path) ?? [])]
    if (!accepted.includes(type)) throw new UnsupportedMediaTypeError(c.req.method, type, accepted)
  }
  await next()
}
