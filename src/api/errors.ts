/** Named errors of the HTTP API. Callers and the error map test `err.name`. */

export class ApiError extends Error {
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ApiError'
  }
}

/** The request body is not valid JSON. */
export class MalformedJsonError extends ApiError {
  constructor (options?: ErrorOptions) {
    super('request body is not valid JSON', options)
    this.name = 'MalformedJsonError'
  }
}

/** A field is missing, of the wrong type or out of range. */
export class InvalidRequestError extends ApiError {
  readonly param: string | null
  constructor (message: string, param: string | null = null, options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidRequestError'
    this.param = param
  }
}

export class UnknownModelError extends ApiError {
  readonly model: string
  constructor (model: string) {
    super(`the model '${model}' does not exist; GET /v1/models lists baobab/auto and every expert`)
    this.name = 'UnknownModelError'
    this.model = model
  }
}

export class RouteNotFoundError extends ApiError {
  readonly path: string
  constructor (method: string, path: string) {
    super(`no such endpoint: ${method} ${path}`)
    this.name = 'RouteNotFoundError'
    this.path = path
  }
}

/** The prompt (all messages together) is longer than the node accepts. */
export class PromptTooLongError extends ApiError {
  readonly length: number
  readonly limit: number
  constructor (length: number, limit: number) {
    super(`the prompt has ${length} characters; this node accepts at most ${limit}`)
    this.name = 'PromptTooLongError'
    this.length = length
    this.limit = limit
  }
}

export class PayloadTooLargeError extends ApiError {
  readonly limit: number
  constructor (limit: number) {
    super(`request body is larger than ${limit} bytes`)
    this.name = 'PayloadTooLargeError'
    this.limit = limit
  }
}

export class UnauthorizedError extends ApiError {
  constructor (message = 'missing or invalid token: send "Authorization: Bearer <token>"') {
    super(message)
    this.name = 'UnauthorizedError'
  }
}

export class RateLimitedError extends ApiError {
  /** Seconds until one more request is allowed. */
  readonly retryAfter: number
  constructor (retryAfter: number) {
    super(`too many requests; retry in ${retryAfter} s`)
    this.name = 'RateLimitedError'
    this.retryAfter = retryAfter
  }
}

/** The node took longer than the request time limit. */
export class RequestTimeoutError extends ApiError {
  readonly timeoutMs: number
  constructor (timeoutMs: number, options?: ErrorOptions) {
    super(`the request took longer than ${timeoutMs} ms`, options)
    this.name = 'RequestTimeoutError'
    this.timeoutMs = timeoutMs
  }
}

/** A part of the node this request needs is not running (e.g. no mesh, no outcome index). */
export class CapabilityUnavailableError extends ApiError {
  readonly capability: string
  constructor (capability: string, detail = 'is not enabled on this node') {
    super(`${capability} ${detail}`)
    this.name = 'CapabilityUnavailableError'
    this.capability = capability
  }
}

/** Binding a non-loopback address without a token. */
export class InsecureBindError extends ApiError {
  readonly host: string
  constructor (host: string) {
    super(`refusing to listen on ${host} without a token: set http.token in config.json, or bind 127.0.0.1`)
    this.name = 'InsecureBindError'
    this.host = host
  }
}

export class InvalidApiOptionsError extends ApiError {
  readonly option: string
  constructor (option: string, reason: string) {
    super(`${option}: ${reason}`)
    this.name = 'InvalidApiOptionsError'
    this.option = option
  }
}

/** The artifact is not in the status the action needs (e.g. approving a trusted artifact). */
export class StatusConflictError extends ApiError {
  readonly cid: string
  readonly status: string
  constructor (cid: string, status: string, needed: string) {
    super(`artifact ${cid} is ${status}, not ${needed}`)
    this.name = 'StatusConflictError'
    this.cid = cid
    this.status = status
  }
}

/** The request's `Host` is not a name of this server (DNS rebinding, or a name not in `http.allowedHosts`). */
export class ForbiddenHostError extends ApiError {
  readonly host: string
  constructor (host: string) {
    super(`this server does not answer to the host "${host.slice(0, 200)}": use 127.0.0.1 or localhost, or add the name to http.allowedHosts`)
    this.name = 'ForbiddenHostError'
    this.host = host
  }
}

/** A web page from another origin called the API (the origin is not in `http.allowedOrigins`). */
export class ForbiddenOriginError extends ApiError {
  readonly origin: string
  constructor (origin: string) {
    super(`pages from ${origin.slice(0, 200)} may not call this API: add the origin to http.allowedOrigins to allow it`)
    this.name = 'ForbiddenOriginError'
    this.origin = origin
  }
}

/** A write without `Content-Type: application/json` (or the endpoint's binary type). */
export class UnsupportedMediaTypeError extends ApiError {
  readonly contentType: string
  constructor (method: string, contentType: string, accepted: readonly string[]) {
    super(`${method} needs Content-Type ${accepted.join(' or ')}${contentType === '' ? ' (none was sent)' : ` (got ${contentType.slice(0, 100)})`}`)
    this.name = 'UnsupportedMediaTypeError'
    this.contentType = contentType
  }
}
