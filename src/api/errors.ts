/** Named errors of the HTTP API. Callers test `err.name`; the error map answers by category. */
import { BaobabError } from '../errors/index.ts'
import type { ErrorCategory } from '../errors/index.ts'

export class ApiError extends BaobabError {
  static override readonly category: ErrorCategory = 'bad-input'
}

/** The request body is not valid JSON. */
export class MalformedJsonError extends ApiError {
  constructor (options?: ErrorOptions) {
    super('request body is not valid JSON', options)
  }
}

/** A field is missing, of the wrong type or out of range. */
export class InvalidRequestError extends ApiError {
  readonly param: string | null
  constructor (message: string, param: string | null = null, options?: ErrorOptions) {
    super(message, options)
    this.param = param
  }
}

export class UnknownModelError extends ApiError {
  static override readonly category = 'not-found'
  readonly model: string
  constructor (model: string) {
    super(`the model '${model}' does not exist; GET /v1/models lists baobab/auto and every expert`)
    this.model = model
  }
}

export class RouteNotFoundError extends ApiError {
  static override readonly category = 'not-found'
  readonly path: string
  constructor (method: string, path: string) {
    super(`no such endpoint: ${method} ${path}`)
    this.path = path
  }
}

export class PayloadTooLargeError extends ApiError {
  static override readonly category = 'too-large'
  readonly limit: number
  constructor (limit: number) {
    super(`request body is larger than ${limit} bytes`)
    this.limit = limit
  }
}

export class UnauthorizedError extends ApiError {
  static override readonly category = 'unauthenticated'
  constructor (message = 'missing or invalid token: send "Authorization: Bearer <token>"') {
    super(message)
  }
}

export class RateLimitedError extends ApiError {
  static override readonly category = 'rate-limited'
  /** Seconds until one more request is allowed. */
  readonly retryAfter: number
  constructor (retryAfter: number) {
    super(`too many requests; retry in ${retryAfter} s`)
    this.retryAfter = retryAfter
  }
}

/** The node took longer than the request time limit. */
export class RequestTimeoutError extends ApiError {
  static override readonly category = 'timeout'
  readonly timeoutMs: number
  constructor (timeoutMs: number, options?: ErrorOptions) {
    super(`the request took longer than ${timeoutMs} ms`, options)
    this.timeoutMs = timeoutMs
  }
}

/** A part of the node this request needs is not running (e.g. no mesh, no outcome index). */
export class CapabilityUnavailableError extends ApiError {
  static override readonly category = 'unavailable'
  readonly capability: string
  constructor (capability: string, detail = 'is not enabled on this node') {
    super(`${capability} ${detail}`)
    this.capability = capability
  }
}

/** Binding a non-loopback address without a token. */
export class InsecureBindError extends ApiError {
  static override readonly category = 'internal'
  readonly host: string
  constructor (host: string) {
    super(`refusing to listen on ${host} without a token: set http.token in config.json, or bind 127.0.0.1`)
    this.host = host
  }
}

export class InvalidApiOptionsError extends ApiError {
  readonly option: string
  constructor (option: string, reason: string) {
    super(`${option}: ${reason}`)
    this.option = option
  }
}

/** The artifact is not in the status the action needs (e.g. approving a trusted artifact). */
export class StatusConflictError extends ApiError {
  static override readonly category = 'conflict'
  readonly cid: string
  readonly status: string
  constructor (cid: string, status: string, needed: string) {
    super(`artifact ${cid} is ${status}, not ${needed}`)
    this.cid = cid
    this.status = status
  }
}

/** The request's `Host` is not a name of this server (DNS rebinding, or a name not in `http.allowedHosts`). */
export class ForbiddenHostError extends ApiError {
  static override readonly category = 'forbidden'
  readonly host: string
  constructor (host: string) {
    super(`this server does not answer to the host "${host.slice(0, 200)}": use 127.0.0.1 or localhost, or add the name to http.allowedHosts`)
    this.host = host
  }
}

/** A web page from another origin called the API (the origin is not in `http.allowedOrigins`). */
export class ForbiddenOriginError extends ApiError {
  static override readonly category = 'forbidden'
  readonly origin: string
  constructor (origin: string) {
    super(`pages from ${origin.slice(0, 200)} may not call this API: add the origin to http.allowedOrigins to allow it`)
    this.origin = origin
  }
}

/** A write without `Content-Type: application/json` (or the endpoint's binary type). */
export class UnsupportedMediaTypeError extends ApiError {
  readonly contentType: string
  constructor (method: string, contentType: string, accepted: readonly string[]) {
    super(`${method} needs Content-Type ${accepted.join(' or ')}${contentType === '' ? ' (none was sent)' : ` (got ${contentType.slice(0, 100)})`}`)
    this.contentType = contentType
  }
}
