/**
 * The `baobab` CLI as separate processes, for tests that run it as a user does: one-shot commands
 * (`baobab`, `json`) and stopping a long-running `baobab start` the way a terminal does (SIGTERM).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

export const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname

export function baobab (home: string, ...args: string[]): { code: number | null, out: string, err: string } {
  const r = spawnSync(process.execPath, [MAIN, '--home', home, ...args], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

/** Runs a command with `--json`, asserts it exited 0 and parses its output. */
export function json<T> (home: string, ...args: string[]): T {
  const r = baobab(home, ...args, '--json')
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`)
  return JSON.parse(r.out) as T
}

/** SIGTERM, then waits for the process to exit (at once when it already has). */
export async function stop (proc: ChildProcess): Promise<void> {
  if (proc.exitCode != null || proc.signalCode != null) return
  const exited = new Promise<void>(resolve => { proc.once('exit', () => { resolve() }) })
  proc.kill('SIGTERM')
  await exited
}
