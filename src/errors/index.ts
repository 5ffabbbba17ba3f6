/**
 * The base of every named Baobab error (STYLE §4): a `category` that says whose move it is, and
 * `retryable` where trying again later can help. The CLI maps a category to an exit code
 * (`cli/errors.ts`) and the HTTP API to a status (`api/error-map.ts`); nobody reads class names.
 *
 * One convention for every error class:
 * - it extends its module's base (`LibraryError`, `MeshError`, …), which extends `BaobabError`;
 * - `name` is the class name, set once here from `new.target`;
 * - the constructor takes the structured fields first and `options?: ErrorOptions` last, and
 *   passes `options` to `super` so `cause` is kept;
 * - a class whose category differs from its base's says so in one line:
 *   `static override readonly category = 'not-found'`.
 *
 * @example
 * ```ts
 * export class WidgetNotFoundError extends WidgetError {
 *   static override readonly category = 'not-found'
 *   readonly id: string
 *   constructor (id: string, options?: ErrorOptions) {
 *     super(`no widget ${id}`, options)
 *     this.id = id
 *   }
 * }
 * ```
 */

/**
 * Whose move it is. The first four are the kinds every module uses; the rest exist because the
 * HTTP API answers them with their own status.
 * - `bad-input`: the caller must change the request, file, option or config (CLI 2, HTTP 400).
 * - `not-found`: the thing named does not exist here (CLI 3, HTTP 404).
 * - `unavailable`: a part this needs is not running or not reachable now (HTTP 503).
 * - `internal`: a fault of this node or its installation; details go to the log (HTTP 500).
 * - `conflict`: the thing exists but its state does not allow the action (CLI 2, HTTP 409).
 * - `too-large`: the request body is larger than accepted (CLI 2, HTTP 413).
 * - `unauthenticated`: no valid token (HTTP 401). `forbidden`: this caller may not (HTTP 403).
 * - `rate-limited`: the HTTP client sent too many requests (HTTP 429).
 * - `timeout`: the request took longer than its limit (HTTP 408).
 * - `upstream`: a service this node calls (the model backend) failed (HTTP 502).
 */
export type ErrorCategory =
  | 'bad-input' | 'not-found' | 'unavailable' | 'internal'
  | 'conflict' | 'too-large' | 'unauthenticated' | 'forbidden' | 'rate-limited' | 'timeout' | 'upstream'

export const ERROR_CATEGORIES: readonly ErrorCategory[] = [
  'bad-input', 'not-found', 'unavailable', 'internal',
  'conflict', 'too-large', 'unauthenticated', 'forbidden', 'rate-limited', 'timeout', 'upstream'
]

/** Categories where the same call may succeed later, unless a class says otherwise. */
const RETRYABLE: ReadonlySet<ErrorCategory> = new Set(['unavailable', 'rate-limited', 'timeout', 'upstream'])

export class BaobabError extends Error {
  static readonly category: ErrorCategory = 'internal'
  /** Set only where it differs from the category's rule (see `RETRYABLE`). */
  static readonly retryable: boolean | undefined = undefined

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }

  get category (): ErrorCategory {
    return (this.constructor as typeof BaobabError).category
  }

  get retryable (): boolean {
    return (this.constructor as typeof BaobabError).retryable ?? RETRYABLE.has(this.category)
  }
}

/**
 * The category of any thrown value, or `undefined` for one without (a library's error, a bug).
 * Read from the value, not its class, so an error from another copy of this package answers the same.
 */
export function categoryOf (err: unknown): ErrorCategory | undefined {
  const category = (err as { category?: unknown } | null | undefined)?.category
  return ERROR_CATEGORIES.includes(category as ErrorCategory) ? category as ErrorCategory : undefined
}
