/**
 * `serveApi(app, {host, port})`: listens with @hono/node-server. Loopback by default; any
 * other address needs an app built with a token. Slow clients are cut off by Node's
 * header/request timeouts (408), idle keep-alive sockets after a few seconds.
 */
import { logger } from '@libp2p/logger'
import { createAdaptorServer } from '@hono/node-server'
import { appGate, appTokenRequired } from './app.ts'
import { InsecureBindError, InvalidApiOptionsError } from './errors.ts'
import { isLoopbackHost } from './security.ts'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Hono } from 'hono'

const log = logger('baobab:api:serve')

export interface ServeOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 7777; 0 picks a free port. */
  port?: number
  /** Whole request (headers and body) must arrive within this. Default 30 s. */
  requestTimeoutMs?: number
  /** Headers must arrive within this. Default 10 s. */
  headersTimeoutMs?: number
  /** Idle keep-alive sockets close after this. Default 5 s. */
  keepAliveTimeoutMs?: number
  /** How often Node checks for timed-out requests. Default 1 s. */
  checkIntervalMs?: number
  signal?: AbortSignal
}

export interface ServedApi {
  readonly host: string
  readonly port: number
  /** e.g. `http://127.0.0.1:7777/` */
  readonly url: string
  readonly server: Server
  close(): Promise<void>
}

export const DEFAULT_HTTP_HOST = '127.0.0.1'
export const DEFAULT_HTTP_PORT = 7777

/** Parses `host:port`, `[::1]:port` or `:port` (loopback host). */
export function parseListen (listen: string): { host: string, port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim())
  const port = Number(m?.[3])
  if (m == null || port > 65535) throw new InvalidApiOptionsError('http.listen', `"${listen}" is not host:port`)
  return { host: m[1] ?? (m[2] === '' || m[2] == null ? DEFAULT_HTTP_HOST : m[2]), port }
}

export async function serveApi (app: Hono, options: ServeOptions = {}): Promise<ServedApi> {
  const host = options.host ?? DEFAULT_HTTP_HOST
  const port = options.port ?? DEFAULT_HTTP_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidApiOptionsError('port', 'must be an integer 0..65535')
  if (!isLoopbackHost(host) && !appTokenRequired(app)) throw new InsecureBindError(host)
  options.signal?.throwIfAborted()
  appGate(app)?.bind(host)

  const requestTimeout = options.requestTimeoutMs ?? 30_000
  const server = createAdaptorServer({
    fetch: app.fetch,
    serverOptions: {
      requestTimeout,
      headersTimeout: Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout),
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      connectionsCheckingInterval: options.checkIntervalMs ?? 1_000
    }
  }) as Server

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => { reject(err) }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  server.on('error', (err) => { log.error('server error: %e', err) })
  const addr = server.address() as AddressInfo
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  log('listening on %s:%d', shownHost, addr.port)

  let closing: Promise<void> | undefined
  const onAbort = (): void => { close().catch((err: unknown) => { log.error('close failed: %e', err) }) }
  const close = async (): Promise<void> => {
    options.signal?.removeEventListener('abort', onAbort)
    closing ??= new Promise<void>((resolve) => {
      server.close(() => { resolve() })
      server.closeIdleConnections()
      // Open streams (SSE) would hold close() forever; end them.
      server.closeAllConnections()
    })
    await closing
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })

  return { host: addr.address, port: addr.port, url: `http://${shownHost}:${addr.port}/`, server, close }
}
