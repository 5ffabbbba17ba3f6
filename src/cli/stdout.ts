/**
 * A Unix citizen: a closed stdout (`baobab … | head -1`, a closed terminal) ends the command
 * quietly, without an EPIPE stack trace. A one-shot command exits at once with its exit code so
 * far; a long-running one (`start`) is told through {@link untilStopped} and stops cleanly.
 */
let closed = false
let onClosed: (() => void) | undefined

/** Installs the handler; `main.ts` calls it once, before any output. */
export function endQuietlyOnClosedStdout (): void {
  // stderr too: `2>&1 | head` closes both
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err
      if (closed) return
      closed = true
      if (onClosed != null) onClosed()
      else process.exit()
    })
  }
}

/** Resolves with the reason once SIGINT, SIGTERM or a closed stdout asks a long-running command to stop. */
export async function untilStopped (): Promise<'SIGINT' | 'SIGTERM' | 'stdout closed'> {
  return new Promise(resolve => {
    const done = (why: 'SIGINT' | 'SIGTERM' | 'stdout closed'): void => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      onClosed = undefined
      resolve(why)
    }
    const onInt = (): void => { done('SIGINT') }
    const onTerm = (): void => { done('SIGTERM') }
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
    if (closed) done('stdout closed')
    else onClosed = () => { done('stdout closed') }
  })
}
