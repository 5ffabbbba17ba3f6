/** What every command needs: home, config, identity, library; JSON output; progress bars; exit codes. */
import cliProgress from 'cli-progress'
import { loadOrCreateIdentity } from '../artifacts/index.ts'
import { openLibrary } from '../library/index.ts'
import { loadConfig, resolveHome } from './config-file.ts'
import { EXIT_INTERNAL, exitCodeFor } from './errors.ts'
import type { Identity } from '../artifacts/index.ts'
import type { NodeConfig } from '../config.ts'
import type { Library } from '../library/index.ts'
import type { Command } from 'commander'

export interface GlobalOptions {
  home?: string
  json?: boolean
}

export interface CliContext {
  home: string
  config: NodeConfig
  identity: Identity
  library: Library
  close(): void
}

export function globalOptions (cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals()
}

export async function openContext (cmd: Command): Promise<CliContext> {
  const home = resolveHome(globalOptions(cmd).home)
  const config = loadConfig(home)
  const identity = await loadOrCreateIdentity(home)
  const library = openLibrary({ home })
  return { home, config, identity, library, close: () => { library.close() } }
}

/** Runs a command body with a context, closing it afterwards. */
export async function withContext<T> (cmd: Command, fn: (ctx: CliContext) => Promise<T> | T): Promise<T> {
  const ctx = await openContext(cmd)
  try {
    return await fn(ctx)
  } finally {
    ctx.close()
  }
}

/** Prints `data` as JSON with --json, else calls `human`. */
export function emit (cmd: Command, data: unknown, human: () => void): void {
  if (globalOptions(cmd).json === true || (cmd.opts() as { json?: boolean }).json === true) {
    process.stdout.write(JSON.stringify(data, jsonReplacer, 2) + '\n')
  } else {
    human()
  }
}

export function wantsJson (cmd: Command): boolean {
  return globalOptions(cmd).json === true || (cmd.opts() as { json?: boolean }).json === true
}

function jsonReplacer (_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (typeof value === 'bigint') return value.toString()
  if (value != null && typeof value === 'object' && (value as { '/': unknown })['/'] === value) return String(value)
  return value
}

/** Wraps an action: errors become `error: <Name>: message` on stderr and an exit code. */
export function action<A extends unknown[]> (fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args)
    } catch (err) {
      reportError(err)
    }
  }
}

export function reportError (err: unknown): void {
  const e = err as Error
  const code = exitCodeFor(err)
  const name = typeof e?.name === 'string' ? e.name : 'Error'
  console.error(`error: ${name}: ${e?.message ?? String(err)}`)
  if (code === EXIT_INTERNAL && process.env.DEBUG != null) console.error(e?.stack)
  process.exitCode = code
}

/** A progress bar that degrades to nothing when --json is set or off a TTY with no output wanted. */
export function progressBar (cmd: Command | undefined, label: string, total: number, unit = ''): { update(done: number): void, stop(): void } {
  if (cmd != null && wantsJson(cmd)) return { update () {}, stop () {} }
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% {value}/{total}${unit}`,
    noTTYOutput: true,
    notTTYSchedule: 2000,
    stream: process.stderr,
    hideCursor: true
  }, cliProgress.Presets.shades_classic)
  bar.start(total, 0)
  return { update: (done: number) => { bar.update(done) }, stop: () => { bar.stop() } }
}
