/**
 * The one mapping from error names to HTTP answers (STYLE §4). Bodies are OpenAI-style
 * (`{ error: { message, type, param, code } }`) on every path, so `/v1` clients and the
 * dashboard read errors the same way. Internal errors never leak their message or stack.
 */
import { logger } from '@libp2p/logger'

const log = logger('baobab:api:errors')

export interface HttpError {
  status: number
  type: string
  code: string
  message: string
  param: string | null
  headers: Record<string, string>
}

/** Names whose messages describe bad input from the caller (4xx, message shown). */
const BAD_INPUT = /^(Malformed|Invalid|Unknown(?!Runtime)|Missing|Unexpected|Field|Oversize|NonCanonical|CidMismatch|Unsupported|ChunkMismatch|SchemaTooNew)|(Invalid|Malformed|TooLarge|Refused|Rejected|Mismatch|Injection|Parse|Format|Input|Question)\w*Error$/

interface Named { name?: unknown, message?: unknown, param?: unknown, retryAfter?: unknown }

export function httpErrorFor (err: unknown): HttpError {
  const e = (err ?? {}) as Named
  const name = typeof e.name === 'string' ? e.name : 'Error'
  const message = typeof e.message === 'string' ? e.message : String(err)
  const param = typeof e.param === 'string' ? e.param : null
  const known = (status: number, type: string, code: string, headers: Record<string, string> = {}): HttpError =>
    ({ status, type, code, message, param, headers })

  switch (name) {
    case 'UnauthorizedError': return known(401, 'authentication_error', 'invalid_api_key', { 'www-authenticate': 'Bearer' })
    case 'RateLimitedError': return known(429, 'rate_limit_error', 'rate_limit_exceeded', { 'retry-after': String(e.retryAfter ?? 1) })
    case 'UnknownModelError': return known(404, 'invalid_request_error', 'model_not_found')
    case 'RouteNotFoundError': return known(404, 'invalid_request_error', 'not_found')
    case 'PayloadTooLargeError': return known(413, 'invalid_request_error', 'payload_too_large')
    case 'PromptTooLongError': return known(400, 'invalid_request_error', 'context_length_exceeded')
    case 'MalformedJsonError': return known(400, 'invalid_request_error', 'malformed_json')
    case 'RequestTimeoutError': return known(408, 'timeout_error', 'request_timeout')
    case 'StatusConflictError': return known(409, 'invalid_request_error', 'status_conflict')
    case 'InvalidTransitionError': return known(409, 'invalid_request_error', 'status_conflict')
    case 'ForbiddenHostError': return known(403, 'permission_error', 'forbidden_host')
    case 'ForbiddenOriginError': return known(403, 'permission_error', 'forbidden_origin')
    case 'UnsupportedMediaTypeError': return known(415, 'invalid_request_error', 'unsupported_media_type')
    case 'CapabilityUnavailableError': return known(503, 'service_unavailable', 'capability_unavailable')
    case 'AbortError': return known(499, 'client_closed_request', 'aborted')
    case 'TimeoutError': return known(408, 'timeout_error', 'request_timeout')
  }
  if (/NotFound/.test(name)) return known(404, 'invalid_request_error', snake(name))
  if (BAD_INPUT.test(name)) return known(400, 'invalid_request_error', snake(name))
  if (/^Runtime(Connection|Timeout|Http|Protocol)Error$/.test(name)) {
    log.error('upstream failure %s: %s', name, message)
    return { status: 502, type: 'upstream_error', code: snake(name), message: 'the model backend failed; see the node log', param: null, headers: {} }
  }
  log.error('internal error %s: %e', name, err)
  return { status: 500, type: 'server_error', code: 'internal_error', message: 'internal error; see the node log', param: null, headers: {} }
}

export function errorBody (h: HttpError): { error: { message: string, type: string, param: string | null, code: string } } {
  return { error: { message: h.message, type: h.type, param: h.param, code: h.code } }
}

function snake (name: string): string {
  return name.replace(/Error$/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}
