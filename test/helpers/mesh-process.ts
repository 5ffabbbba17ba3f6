/** Drives a mesh node running in its own process (`mesh-child.ts`): commands in, JSON lines out. */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

const script = fileURLToPath(new URL('./mesh-child.ts', import.meta.url))

export type Reply = Record<string, unknown>

export interface MeshProcess {
  readonly proc: ChildProcess
  readonly addr: string
  readonly peer: string
  send: (command: string) => void
  /** The next reply matching `pred` (replies before it are dropped); rejects on exit or error. */
  next: (pred: (r: Reply) => boolean, onOther?: (r: Reply) => void) => Promise<Reply>
  /** SIGKILL, resolved once the process is gone. */
  kill: () => Promise<void>
  stop: () => Promise<void>
}

export async function spawnMeshNode (home: string): Promise<MeshProcess> {
  const proc = spawn(process.execPath, [script, home], { stdio: ['pipe', 'pipe', 'inherit'] })
  const queue: Reply[] = []
  let waiter: (() => void) | undefined
  let exited = false
  const exit = new Promise<void>(resolve => proc.once('exit', () => { exited = true; waiter?.(); resolve() }))
  createInterface({ input: proc.stdout! }).on('line', line => {
    try { queue.push(JSON.parse(line) as Reply) } catch { return }
    waiter?.()
  })
  const next = async (pred: (r: Reply) => boolean, onOther?: (r: Reply) => void): Promise<Reply> => {
    for (;;) {
      while (queue.length > 0) {
        const r = queue.shift() as Reply
        if (pred(r)) return r
        if (r.error != null) throw new Error(`mesh child: ${String(r.error)}`)
        onOther?.(r)
      }
      if (exited) throw new Error('mesh child exited')
      await new Promise<void>(resolve => { waiter = resolve })
      waiter = undefined
    }
  }
  const first = await next(r => r.addr != null)
  return {
    proc,
    addr: first.addr as string,
    peer: first.peer as string,
    send: command => { proc.stdin!.write(command + '\n') },
    next,
    kill: async () => { if (!exited) proc.kill('SIGKILL'); await exit },
    stop: async () => {
      if (exited) return
      proc.stdin!.write('stop\n')
      await exit
    }
  }
}
