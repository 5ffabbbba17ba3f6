/**
 * The community demo: five co-operative nodes on loopback, each with its own identity, expert,
 * experiences and outcome packet; they discover each other and sync; a visitor joins, syncs
 * everything, and asks one question per community plus one no expert covers.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DEFAULT_CONFIG } from '../../config.ts'
import { createNode } from '../../node/index.ts'
import { seedCommunity } from './community.ts'
import { COMMUNITIES, VISITOR_QUESTIONS } from './knowledge.ts'
import { bold, cyan, dim, green, red, renderAnswer } from './render.ts'
import { TINY_MODEL } from '../../adapters/index.ts'
import type { BaobabNode } from '../../node/index.ts'
import type { NodeConfig } from '../../config.ts'

export interface DemoOptions {
  dir?: string
  /** Base GGUF for the llama runtime; absent: retrieval runtime. */
  model?: string
  /** Extra wait budget for the mesh to converge (ms). */
  timeoutMs?: number
  signal?: AbortSignal
  log?: (line: string) => void
}

export interface DemoResult {
  ok: boolean
  failures: string[]
  nodes: BaobabNode[]
  visitor: BaobabNode
  ms: number
  /** Aborts background work (DHT publication) before the nodes stop. */
  background: AbortController
}

const t0 = Date.now()
const DIAL_ATTEMPTS = 3
const stamp = (): string => dim(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s]`)

function nodeConfig (model: string | undefined, bootstrap: string[]): NodeConfig {
  return {
    ...structuredClone(DEFAULT_CONFIG),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap,
    mdns: false,
    runtime: model != null ? { kind: 'llama', model, poolSize: 6, contextSize: 512 } as NodeConfig['runtime'] : { kind: 'retrieval' }
  }
}

function allowEachOther (who: BaobabNode[], members: BaobabNode[]): void {
  for (const n of who) for (const m of members) if (m !== n) n.trust.setPeer(m.peerId, 'allow', 'co-operative member')
}

/** Resolves when `check()` holds, re-checking on mesh events; rejects after `ms`. */
async function until (nodes: BaobabNode[], check: () => boolean, ms: number, what: string, signal?: AbortSignal): Promise<void> {
  if (check()) return
  await new Promise<void>((resolve, reject) => {
    const offs: Array<() => void> = []
    const done = (err?: Error): void => {
      clearTimeout(timer)
      for (const off of offs) off()
      signal?.removeEventListener('abort', onAbort)
      if (err != null) reject(err); else resolve()
    }
    const onAbort = (): void => { done(signal?.reason as Error) }
    const timer = setTimeout(() => { done(new Error(`timed out after ${ms} ms waiting for ${what}`)) }, ms)
    signal?.addEventListener('abort', onAbort)
    for (const n of nodes) {
      for (const ev of ['artifact:admitted', 'sync:done', 'peer:connected'] as const) {
        offs.push(n.mesh!.on(ev, () => { if (check()) done() }))
      }
    }
  })
}

/** A slow CPU can time a handshake out: a few tries (bounded), then the reason, not a throw. */
async function dialWithRetries (node: BaobabNode, peer: BaobabNode, signal?: AbortSignal): Promise<string | null> {
  let problem = ''
  for (let attempt = 0; attempt < DIAL_ATTEMPTS; attempt++) {
    try {
      await node.mesh!.dial(peer.mesh!.multiaddrs()[0]!, signal != null ? { signal } : {})
      return null
    } catch (err) {
      if (signal?.aborted === true) throw err
      problem = `${(err as Error).name}: ${(err as Error).message}`
    }
  }
  return problem
}

export async function runDemo (options: DemoOptions = {}): Promise<DemoResult> {
  const created: BaobabNode[] = []
  try {
    return await story(options, created)
  } catch (err) {
    // a step that throws must not leave nodes running: the process would never exit
    await Promise.allSettled(created.map(async n => { await n.stop() }))
    throw err
  }
}

async function story (options: DemoOptions, created: BaobabNode[]): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => { process.stdout.write(line + '\n') })
  const started = Date.now()
  const dir = resolve(options.dir ?? '.demo')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const model = options.model === 'tiny' ? TINY_MODEL : options.model
  // generous: the wait ends as soon as the mesh converges; a slow CPU (a Pi, emulated arm64: ~85 s) needs room
  const timeoutMs = options.timeoutMs ?? 300_000
  const failures: string[] = []
  const nodes: BaobabNode[] = []

  log(bold(`Baobab community demo — ${COMMUNITIES.length} co-operatives on loopback, homes in ${dir}`))
  const contents: Array<Awaited<ReturnType<typeof seedCommunity>>> = []
  for (const [i, domain] of COMMUNITIES.entries()) {
    const node = await createNode({ home: join(dir, domain.replace(' ', '-')), config: nodeConfig(model, []) })
    created.push(node)
    contents.push(await seedCommunity(node, domain, 1000 + i))
    nodes.push(node)
  }
  // a co-operative's members know each other's keys: experts from an allow-listed author need no
  // local canary under the community policy (screens still apply)
  allowEachOther(nodes, nodes)
  log(`${stamp()} ${dim(`members allow-list each other's keys (policy ${DEFAULT_CONFIG.policy})`)}`)
  for (const [i, node] of nodes.entries()) {
    const domain = COMMUNITIES[i]!
    await node.start()
    node.mesh!.on('peer:connected', ({ peer }) => { log(`${stamp()} ${cyan(domain.padEnd(12))} handshake with ${peer.slice(-8)}`) })
    node.mesh!.on('sync:done', r => { if (r.need.length > 0) log(`${stamp()} ${cyan(domain.padEnd(12))} synced with ${r.peer.slice(-8)}: ${r.need.length} new, ${r.bytesSent + r.bytesReceived} bytes`) })
    for (const earlier of nodes.slice(0, i)) {
      const problem = await dialWithRetries(node, earlier, options.signal)
      if (problem != null) failures.push(`${domain} could not reach ${earlier.peerId.slice(-8)}: ${problem}`)
    }
    const content = contents[i]!
    log(`${stamp()} ${cyan(domain.padEnd(12))} node ${node.peerId.slice(-8)} up: expert ${content.expert}, ${content.experiences} experiences, ${content.outcomes} outcome packet`)
  }
  // once converged, every node holds the union of what the co-operatives share
  const shared = [...new Set(nodes.flatMap(n => n.library.syncKeys().map(k => k.cid)))]
  const holdsAll = (n: BaobabNode): boolean => shared.every(cid => n.library.get(cid)?.status === 'trusted')
  try {
    await until(nodes, () => nodes.every(holdsAll), timeoutMs, 'the co-operatives to converge', options.signal)
    log(`${stamp()} ${green('mesh converged')}: every co-operative holds all ${shared.length} shared artifacts`)
  } catch (err) {
    failures.push(`co-operatives did not converge: ${(err as Error).message}`)
  }

  // outcome records go to the DHT in the background; the story does not wait for them, and what
  // finishes after the story's last line is not printed (the summary stays the last line)
  const background = new AbortController()
  let told = false
  const bgSignal = options.signal != null ? AbortSignal.any([options.signal, background.signal]) : background.signal
  void Promise.all(nodes.map(async n => n.outcomes.republish({ signal: bgSignal })))
    .then(stored => { if (!told) log(`${stamp()} ${green('outcome records')} published to the DHT under exact and near fingerprints (${stored.reduce((a, b) => a + b, 0)} keys)`) })
    .catch((err: Error) => { if (!bgSignal.aborted && !told) log(`${stamp()} ${dim(`DHT publication incomplete: ${err.message}`)}`) })

  const visitor = await createNode({ home: join(dir, 'visitor'), config: nodeConfig(model, nodes.flatMap(n => n.mesh!.multiaddrs())) })
  created.push(visitor)
  allowEachOther([visitor], nodes)
  log(`${stamp()} ${cyan('visitor'.padEnd(12))} ${dim('was given the co-operatives\' member keys')}`)
  visitor.mesh!.on('peer:connected', ({ peer }) => { log(`${stamp()} ${cyan('visitor'.padEnd(12))} handshake with ${peer.slice(-8)}`) })
  visitor.mesh!.on('sync:done', r => { if (r.need.length > 0) log(`${stamp()} ${cyan('visitor'.padEnd(12))} synced with ${r.peer.slice(-8)}: ${r.need.length} new, ${r.bytesSent + r.bytesReceived} bytes`) })
  await visitor.start()
  try {
    await until([visitor], () => holdsAll(visitor), timeoutMs, 'the visitor to sync', options.signal)
    const c = visitor.library.counts()
    log(`${stamp()} ${green('visitor synced')}: ${c.adapter} experts, ${c.experience} experiences, ${c.outcome} outcome packets, all verified`)
  } catch (err) {
    failures.push(`visitor did not sync: ${(err as Error).message}`)
  }

  const runtimeLabel = model != null ? 'llama' : 'retrieval'
  for (const { question, expect } of VISITOR_QUESTIONS) {
    log('')
    log(`${bold('visitor asks')}  ${question}`)
    try {
      const a = await visitor.ask([{ role: 'user', content: question }], { maxTokens: 160, seed: 1, ...(options.signal != null ? { signal: options.signal } : {}) })
      for (const line of renderAnswer(a, runtimeLabel)) log(line)
      const got = a.expert?.domain ?? null
      if (got !== expect) failures.push(`"${question}" went to ${got ?? 'no expert'}, expected ${expect ?? 'no expert'}`)
    } catch (err) {
      failures.push(`"${question}" failed: ${(err as Error).name}: ${(err as Error).message}`)
    }
  }

  try {
    const rec = await visitor.outcomes.recommend({ family: 'llama-2-tiny', task: 'answering farm questions', tags: ['qa', 'agriculture'] })
    log('')
    const d = rec.expectedDelta
    log(`${bold('outcome packets')} for "answering farm questions" on llama-2-tiny: ${rec.evidence.length} packets from ${rec.authors.length} authors`)
    log(`        recommend ${rec.method ?? '?'} ${Object.entries(rec.params).map(([k, v]) => `${k}=${v.kind === 'numeric' ? String(v.median) : String(v.value)}`).join(' ')}${d != null ? `, expected Δ ${d.mean.toFixed(3)} [${d.low.toFixed(3)}, ${d.high.toFixed(3)}]` : ''}`)
    if (rec.evidence.length === 0) failures.push('no outcome packets matched the visitor\'s context')
  } catch (err) {
    failures.push(`outcome recommendation failed: ${(err as Error).message}`)
  }

  log('')
  told = true
  log(failures.length === 0 ? green(bold(`demo ok in ${((Date.now() - started) / 1000).toFixed(1)} s`)) : red(bold(`demo finished with ${failures.length} problem(s):`)))
  for (const f of failures) log(red(`  - ${f}`))
  return { ok: failures.length === 0, failures, nodes, visitor, ms: Date.now() - started, background }
}

export async function stopDemo (result: DemoResult): Promise<void> {
  result.background.abort()
  await Promise.allSettled([result.visitor, ...result.nodes].map(async n => { await n.stop() }))
}
