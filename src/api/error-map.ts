/**
 * The one mapping from error categories to HTTP answers (STYLE §4). Bodies are OpenAI-style
 * (`{ error: { message, type, param, code } }`) on every path, so `/v1` clients and the
 * dashboard read errors the same way. Internal errors never leak their message or stack.
 */
import { logger } from '@libp2p/logger'
import { categoryOf } from '../errors/index.ts'
import type { ErrorCategory } from '../errors/index.ts'
import { PromptTooLongError } from '../runtime/index.ts'
import { RouteNotFoundError, UnknownModelError, UnsupportedMediaTypeError } from './errors.ts'

const log = logger('baobab:api:errors')

export interface HttpError {
  status: number
  type: string
  code: string
  message: string
  param: string | null
  headers: Record<string, string>
}

interface Answer { status: number, type: string, code?: string, hidden?: string }

/**
 * By category. `code` is the OpenAI-style code; left out, it is the class name in snake case
 * (`InvalidRequestError` → `invalid_request`). A `hidden` answer shows that text instead of the
 * error's message and logs the error.
 */
const ANSWERS: Readonly<Record<ErrorCategory, Answer>> = {
  'bad-input': { status: 400, type: 'invalid_request_error' },
  'not-found': { status: 404, type: 'invalid_request_error' },
  conflict: { status: 409, type: 'invalid_request_error', code: 'status_conflict' },
  'too-large': { status: 413, type: 'invalid_request_error', code: 'payload_too_large' },
  unauthenticated: { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
  forbidden: { status: 403, type: 'permission_error' },
  'rate-limited': { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  timeout: { status: 408, type: 'timeout_error', code: 'request_timeout' },
  unavailable: { status: 503, type: 'service_unavailable' },
  upstream: { status: 502, type: 'upstream_error', hidden: 'the model backend failed; see the node log' },
  internal: { status: 500, type: 'server_error', code: 'internal_error', hidden: 'internal error; see the node log' }
}

/** Where OpenAI clients expect their own code (or status) for one of our errors. */
const OPENAI_ANSWERS: ReadonlyMap<unknown, Partial<Answer>> = new Map<unknown, Partial<Answer>>([
  [UnknownModelError, { code: 'model_not_found' }],
  [RouteNotFoundError, { code: 'not_found' }],
  [PromptTooLongError, { code: 'context_length_exceeded' }],
  [UnsupportedMediaTypeError, { status: 415 }]
])

/** Errors thrown by libraries (fetch, AbortSignal), by their exact name. */
const LIBRARY_ANSWERS: ReadonlyMap<string, Answer> = new Map([
  ['AbortError', { status: 499, type: 'client_closed_request', code: 'aborted' }],
  ['TimeoutError', ANSWERS.timeout]
])

interface Fields { name?: unknown, message?: unknown, param?: unknown, retryAfter?: unknown }

export function httpErrorFor (err: unknown): HttpError {
  const e = (err ?? {}) as Fields
  const name = typeof e.name === 'string' ? e.name : 'Error'
  const category = categoryOf(err)
  const answer: Answer = category != null
    ? { ...ANSWERS[category], ...OPENAI_ANSWERS.get((err as object).constructor) }
    : LIBRARY_ANSWERS.get(name) ?? ANSWERS.internal
  const code = answer.code ?? snake(name)
  if (answer.hidden != null) {
    if (category === 'upstream') log.error('upstream failure %s: %s', name, e.message)
    else log.error('internal error %s: %e', name, err)
    return { status: answer.status, type: answer.type, code, message: answer.hidden, param: null, headers: {} }
  }
  const headers: Record<string, string> = {}
  if (category === 'unauthenticated') headers['www-authenticate'] = 'Bearer'
  if (category === 'rate-limited') headers['retry-after'] = String(e.retryAfter ?? 1)
  const message = typeof e.message === 'string' ? e.message : String(err)
  const param = typeof e.param === 'string' ? e.param : null
  return { status: answer.status, type: answer.type, code, message, param, headers }
}

export function errorBody (h: HttpError): { error: { message: string, type: string, param: string | null, code: string } } {
  return { error: { message: h.message, type: h.type, param: h.param, code: h.code } }
}

function snake (name: string): string {
  return name.replace(/Error$/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}
