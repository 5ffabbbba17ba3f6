/**
 * HTTP API: OpenAI-compatible `/v1` with per-request expert routing, the node API under
 * `/api`, `/openapi.json`, and the web dashboard at `/`. Built against `NodeServices`, which
 * `src/node/` implements.
 *
 * @example
 * ```ts
 * const app = createApi(services, { token: config.http?.token, allowedOrigins: config.http?.allowedOrigins })
 * const served = await serveApi(app, parseListen(config.http?.listen ?? '127.0.0.1:7777'))
 * console.log(`dashboard: ${served.url}`)
 * // later
 * await served.close()
 * ```
 */
export { createApi, DEFAULT_MAX_PROMPT_CHARS } from './app.ts'
export type { ApiOptions } from './app.ts'
export { serveApi, parseListen, DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT } from './serve.ts'
export type { ServeOptions, ServedApi } from './serve.ts'
export { servicesFromNode } from './from-node.ts'
export { collectAnswer } from './answer.ts'
export { httpErrorFor } from './error-map.ts'
export { isLoopbackHost } from './security.ts'
export { parseAllowedHosts, parseAllowedOrigins } from './request-gate.ts'
export type { GateOptions } from './request-gate.ts'
export type { RateLimitOptions } from './security.ts'
export type {
  AddResult, ArtifactDetail, ArtifactSummary, AskInput, AskResult, AskStream, CallOptions, EmbedResultJson, ExemplarHit,
  ExperienceRef, ExperienceSummary, ExpertInfo, ExpertScore, LibraryQuery, NodeEvent, NodeEventType, NodeServices, NodeStatus,
  OutcomeQuery, OutcomeSummary, PeerInfo, QuarantineItem, Recommendation, RouteExplanation, SyncReport
} from './types.ts'
export {
  ApiError, CapabilityUnavailableError, ForbiddenHostError, ForbiddenOriginError, InsecureBindError, InvalidApiOptionsError,
  InvalidRequestError, MalformedJsonError,
  PayloadTooLargeError, RateLimitedError, RequestTimeoutError, RouteNotFoundError, StatusConflictError,
  UnauthorizedError, UnknownModelError, UnsupportedMediaTypeError
} from './errors.ts'
