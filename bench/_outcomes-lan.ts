/**
 * The outcome DHT bench with nodes spread over several processes (as machines on a LAN, here all
 * on 127.0.0.1): `procs` children of bench/_outcomes-worker.ts host n nodes between them, node i in
 * child i mod procs. Same starting topology and workload as the one-process run in bench/outcomes.ts, plus
 * the idle CPU per node (summed over the children) after the network has settled. With `product`
 * each member is a whole node (createNode), which also dials the peers its DHT learns of, as
 * `baobab start` does on a LAN.
 */
import { fork } from 'node:child_process'
import { exactKey } from '../src/outcomes/index.ts'
import type { ChildProcess } from 'node:child_process'
import type { WorkerCommand } from './_outcomes-worker.ts'

const workerPath = new URL('./_outcomes-worker.ts', import.meta.url).pathname

class Worker {
  private readonly child: ChildProcess
  private next = 0
  private readonly waiting = new Map<number, { cmd: string, resolve: (v: unknown) => void, reject: (e: Error) => void }>()

  constructor () {
    this.child = fork(workerPath, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.child.on('message', (m: { id: number, result?: unknown, error?: string }) => {
      const w = this.waiting.get(m.id)
      this.waiting.delete(m.id)
      if (m.error != null) w?.reject(new Error(`${w.cmd}: ${m.error}`))
      else w?.resolve(m.result)
    })
  }

  async call<T> (command: WorkerCommand): Promise<T> {
    const id = this.next++
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { cmd: command.cmd, resolve: resolve as (v: unknown) => void, reject })
      this.child.send({ id, command })
    })
  }

  kill (): void { this.child.kill() }
}

export interface LanStats {
  puts: number[], gets: number[], hops: number[], msgs: number[], found: number, publishes: number[], queries: number[], matches: number[],
  idleCpuMsPerNodePerS: number
}

export async function runLan (n: number, procs: number, rnd: () => number, settleMs: number, product = false): Promise<LanStats> {
  const workers = Array.from({ length: procs }, () => new Worker())
  try {
    const per = Array.from({ length: procs }, (_, p) => Math.floor(n / procs) + (p < n % procs ? 1 : 0))
    const addrs = await Promise.all(workers.map(async (w, p) => w.call<string[]>({ cmd: 'init', count: per[p]!, product })))
    const at = (i: number): { w: Worker, local: number, addr: string } =>
      ({ w: workers[i % procs]!, local: Math.floor(i / procs), addr: addrs[i % procs]![Math.floor(i / procs)]! })
    for (let i = 1; i < n; i++) {
      const targets = new Set<number>()
      while (targets.size < Math.min(3, i)) targets.add(Math.floor(rnd() * i))
      // a dial can time out on a loaded machine: one more try
      for (const t of targets) {
        const dial = async (): Promise<unknown> => at(i).w.call({ cmd: 'dial', from: at(i).local, addr: at(t).addr })
        await dial().catch(dial)
      }
    }
    // let start-up work (self queries, routing-table refreshes) finish, then measure the idle cost
    await new Promise(resolve => setTimeout(resolve, settleMs))
    const cpu = await Promise.all(workers.map(async w => w.call<number>({ cmd: 'cpu', ms: 10_000 })))
    const idleCpuMsPerNodePerS = cpu.reduce((a, b) => a + b, 0) / n / 10
    const s: LanStats = { puts: [], gets: [], hops: [], msgs: [], found: 0, publishes: [], queries: [], matches: [], idleCpuMsPerNodePerS }
    const keys: Array<{ key: string, from: number }> = []
    for (let r = 0; r < 5; r++) {
      const from = Math.floor(rnd() * n)
      const key = exactKey({ family: 'bench-lan', task: `task ${n}-${r}`, tags: ['x'] })
      s.puts.push((await at(from).w.call<{ ms: number }>({ cmd: 'put', i: at(from).local, key })).ms)
      keys.push({ key, from })
    }
    for (let l = 0; l < 20; l++) {
      const { key, from } = keys[l % keys.length]!
      let q = Math.floor(rnd() * n)
      if (q === from) q = (q + 1) % n
      const g = await at(q).w.call<{ ms: number, found: boolean, hops: number, messages: number }>({ cmd: 'get', i: at(q).local, key })
      s.gets.push(g.ms)
      s.msgs.push(g.messages)
      if (g.found) { s.found++; s.hops.push(g.hops) }
    }
    for (let r = 0; r < 5; r++) {
      const from = Math.floor(rnd() * n)
      const p = await at(from).w.call<{ ms: number }>({ cmd: 'publish', i: at(from).local, task: `clinical note summarisation ${r}` })
      s.publishes.push(p.ms)
      const asker = (from + 1 + Math.floor(rnd() * (n - 1))) % n
      const q = await at(asker).w.call<{ ms: number, matches: number }>({ cmd: 'query', i: at(asker).local, task: `clinical note summarisation ${r}` })
      s.queries.push(q.ms)
      s.matches.push(q.matches)
    }
    await Promise.all(workers.map(async w => w.call({ cmd: 'stop' })))
    return s
  } finally {
    for (const w of workers) w.kill()
  }
}
