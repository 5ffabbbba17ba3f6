/** Worker thread that runs a user grader module (see graders.ts). */
import { parentPort, workerData } from 'node:worker_threads'

type GradeFn = (output: string, task: unknown) => unknown
const port = parentPort!

async function load (): Promise<GradeFn | null> {
  try {
    const mod = await import((workerData as { url: string }).url) as { grade?: unknown, default?: unknown }
    const f = typeof mod.grade === 'function' ? mod.grade : typeof mod.default === 'function' ? mod.default : undefined
    if (f == null) throw new Error('the module exports neither a `grade` function nor a default function')
    return f as GradeFn
  } catch (err) {
    port.postMessage({ type: 'load-error', error: (err as Error).message })
    return null
  }
}

const fn = await load()
if (fn != null) {
  port.on('message', (m: { id: number, output: string, task: unknown }) => {
    void (async () => {
      try {
        const reward = await fn(m.output, m.task)
        port.postMessage({ type: 'result', id: m.id, reward })
      } catch (err) {
        port.postMessage({ type: 'result', id: m.id, error: err instanceof Error ? err.message : String(err) })
      }
    })()
  })
  port.postMessage({ type: 'ready' })
}
