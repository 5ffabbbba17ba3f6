/** CLI errors and the one mapping from error categories to exit codes. */
import { BaobabError, categoryOf } from '../errors/index.ts'
import type { ErrorCategory } from '../errors/index.ts'

/** Base of the CLI's own errors: a bad command line or config file. */
export class CliError extends BaobabError {
  static override readonly category: ErrorCategory = 'bad-input'
}

export class UsageError extends CliError {}

export class ConfigError extends CliError {
  readonly path: string
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(`config ${path}: ${reason}`, options)
    this.path = path
  }
}

export const EXIT_OK = 0
export const EXIT_INTERNAL = 1
export const EXIT_BAD_INPUT = 2
export const EXIT_NOT_FOUND = 3

/** The caller must change something (bad input, a conflicting state, too large) 2, not found 3, else 1. */
const EXIT_CODES: Readonly<Record<ErrorCategory, number>> = {
  'bad-input': EXIT_BAD_INPUT,
  conflict: EXIT_BAD_INPUT,
  'too-large': EXIT_BAD_INPUT,
  'not-found': EXIT_NOT_FOUND,
  unavailable: EXIT_INTERNAL,
  internal: EXIT_INTERNAL,
  unauthenticated: EXIT_INTERNAL,
  forbidden: EXIT_INTERNAL,
  'rate-limited': EXIT_INTERNAL,
  timeout: EXIT_INTERNAL,
  upstream: EXIT_INTERNAL
}

/** Errors thrown by libraries the CLI uses, by their exact name. */
const LIBRARY_EXIT_CODES: ReadonlyMap<string, number> = new Map([
  ['CommanderError', EXIT_BAD_INPUT]
])

/** A Baobab error by its category ({@link EXIT_CODES}), a library's by {@link LIBRARY_EXIT_CODES}, anything else 1. */
export function exitCodeFor (err: unknown): number {
  const category = categoryOf(err)
  if (category != null) return EXIT_CODES[category]
  const name = (err as { name?: unknown })?.name
  return (typeof name === 'string' ? LIBRARY_EXIT_CODES.get(name) : undefined) ?? EXIT_INTERNAL
}
