/**
 * One process of the LAN-style outcome bench (bench/outcomes-lan.ts): hosts some of the nodes and
 * runs what the parent asks over IPC, so nodes in different processes talk over TCP loopback as
 * machines on a LAN would, each process with its own event loop.
 */
import { rmSync } from 'node:fs'
import { exactKey, OutcomeDht } from '../src/outcomes/index.ts'
import { rawCid } from '../src/artifacts/index.ts'
import { productMember } from './_outcomes-node.ts'
import { hopTracker, member } from './outcomes.ts'
import type { Member } from './outcomes.ts'

export type WorkerCommand =
  | { cmd: 'init', count: number, product?: boolean }
  | { cmd: 'dial', from: number, addr: string }
  | { cmd: 'put', i: number, key: string }
  | { cmd: 'get', i: number, key: string }
  | { cmd: 'cpu', ms: number }
  | { cmd: 'publish', i: number, task: string }
  | { cmd: 'query', i: number, task: string }
  | { cmd: 'stop' }

const members: Member[] = []
const ctx = { family: 'qwen2.5-0.5b', tags: ['medical'] }

async function handle (m: WorkerCommand): Promise<unknown> {
  switch (m.cmd) {
    case 'init':
      for (let i = 0; i < m.count; i++) members.push(m.product === true ? await productMember() : await member())
      return members.map(x => x.node.getMultiaddrs()[0]!.toString())
    case 'dial': {
      const { multiaddr } = await import('@multiformats/multiaddr')
      await members[m.from]!.node.dial(multiaddr(m.addr))
      return true
    }
    case 'put': {
      const x = members[m.i]!
      const s = performance.now()
      const w = await new OutcomeDht({ dht: x.node.services.dht, privateKey: x.key }).put(m.key, [rawCid(new TextEncoder().encode(m.key))])
      return { ms: performance.now() - s, stored: w.stored }
    }
    case 'get': {
      const x = members[m.i]!
      const tracker = hopTracker()
      const s = performance.now()
      const r = await new OutcomeDht({ dht: x.node.services.dht, privateKey: x.key }).get(m.key, { onProgress: tracker.onProgress })
      return { ms: performance.now() - s, found: r.record != null, ...tracker.result() }
    }
    case 'cpu': {
      const before = process.cpuUsage()
      await new Promise(resolve => setTimeout(resolve, m.ms))
      const d = process.cpuUsage(before)
      return (d.user + d.system) / 1000
    }
    case 'publish': {
      const s = performance.now()
      const r = await members[m.i]!.outcomes.publish({ ...ctx, task: m.task, benchmark: 'rouge-l', baseline: 0.3, score: 0.36, method: 'lora', params: { r: 16 }, nEval: 300, confidence: 0.9, dataScale: 'm' }, { networkMs: 60_000 })
      return { ms: performance.now() - s, pending: r.pending, exact: exactKey({ ...ctx, task: m.task }) }
    }
    case 'query': {
      const s = performance.now()
      const r = await members[m.i]!.outcomes.query({ ...ctx, task: m.task }, { networkMs: 60_000 })
      return { ms: performance.now() - s, matches: r.matches.length }
    }
    case 'stop':
      await Promise.all(members.map(async x => {
        if (x.stop != null) return x.stop()
        await x.node.stop()
        x.library.close()
        rmSync(x.home, { recursive: true, force: true })
      }))
      return true
  }
}

process.on('message', (msg: { id: number, command: WorkerCommand }) => {
  handle(msg.command).then(result => { process.send!({ id: msg.id, result }) }, (err: Error) => { process.send!({ id: msg.id, error: err.message }) })
})

// the parent went away (finished, killed or timed out): do not linger
process.on('disconnect', () => { process.exit(0) })
