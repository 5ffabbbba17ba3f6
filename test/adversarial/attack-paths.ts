/**
 * Ways in besides gossip and the background sync, each attacked with poison the attacker has
 * not offered before (so nothing about it is known yet on the receiving side):
 *
 * - one-shot sync, as `baobab sync <addr>` runs it: a fresh node built by `createNode` from a
 *   default config (retrieval runtime: no model), started, synced once with the attacker's
 *   address, stopped;
 * - a CAR file, as `baobab import` reads it: the attacker exports its library (`exportCar`) and
 *   the file is imported (`importCar` through the node's trust admission) by a canary node (with
 *   a model) and by a fresh node without one.
 *
 * - a cross-site write to the HTTP API, as a web page the user visits would try it: new poison
 *   posted from a foreign Origin as a "simple" text/plain request and as JSON, approvals of the
 *   poison the victim holds, and a DNS-rebinding read (a foreign Host); the victim's own API app
 *   (`createApi(servicesFromNode(node))`) answers in process.
 */
import { join } from 'node:path'
import { createApi, servicesFromNode } from '../../src/api/index.ts'
import { exportCar, importCar } from '../../src/mesh/index.ts'
import { POISONS, poisonedAdapter, publish } from './content.ts'
import { mesh, startNode, stopNode } from './nodes.ts'
import { tempDir } from '../trust/helpers.ts'
import type { AdvNode } from './nodes.ts'
import type { SignedArtifact } from '../../src/artifacts/index.ts'

export interface PathResult {
  /** Poisoned artifacts offered on this path. */
  offered: number
  /** How many of them ended trusted on the receiving nodes (must be 0). */
  accepted: number
  /** Final status and decision code of each offered artifact, counted. */
  outcomes: Record<string, number>
}

function tally (receivers: AdvNode[], poison: SignedArtifact[]): PathResult {
  const r: PathResult = { offered: poison.length, accepted: 0, outcomes: {} }
  for (const n of receivers) {
    for (const p of poison) {
      const cid = p.cid.toString()
      const status = n.node.library.get(cid)?.status ?? 'not stored'
      if (status === 'trusted') r.accepted++
      const key = `${status}${status === 'not stored' ? '' : `:${n.node.trust.decision(cid)?.code ?? '-'}`}`
      r.outcomes[key] = (r.outcomes[key] ?? 0) + 1
    }
  }
  return r
}

async function freshPoison (m: AdvNode, tag: string): Promise<SignedArtifact[]> {
  const out: SignedArtifact[] = []
  for (let j = 0; j < POISONS.length; j++) {
    const b = await poisonedAdapter(m.key, j, `${tag}-${POISONS[j]![0]}-${m.i}`)
    publish(m, b.artifact, b.weights)
    out.push(b.artifact)
  }
  return out
}

/** `baobab sync`-style: a fresh default node syncs once with the attacker (`known`: the attacker's earlier poison, offered again). */
export async function oneShotSync (attacker: AdvNode, known: SignedArtifact[]): Promise<PathResult> {
  const poison = [...await freshPoison(attacker, 'sync'), ...known]
  const fresh = await startNode(1000, 'honest')
  try {
    const r = await mesh(fresh).syncWith(mesh(attacker).multiaddrs()[0]!)
    await fresh.node.trust.admission.settled()
    if (r.failed.length > 0 && r.fetched.length === 0) throw new Error(`one-shot sync fetched nothing: ${JSON.stringify(r.failed.slice(0, 2))}`)
    return tally([fresh], poison)
  } finally {
    await stopNode(fresh)
  }
}

/** `baobab import`-style: the attacker's library as a CAR file, imported by a canary node and by a fresh node. */
export async function carImport (attacker: AdvNode, canaryNode: AdvNode, known: SignedArtifact[]): Promise<PathResult> {
  const poison = [...await freshPoison(attacker, 'car'), ...known]
  const file = join(tempDir('baobab-adv-car-'), 'gift.car')
  await exportCar(attacker.node.library, file)
  const fresh = await startNode(1001, 'honest')
  try {
    for (const n of [canaryNode, fresh]) {
      await importCar(file, n.node.library, n.node.trust.admission)
      await n.node.trust.admission.settled()
    }
    return tally([canaryNode, fresh], poison)
  } finally {
    await stopNode(fresh)
  }
}

export interface WebPathResult extends PathResult {
  /** Requests the page sent, and how many the API refused (403/415) before any handler. */
  requests: number
  refused: number
}

/** A foreign web page against the victim's local API: every request refused, nothing stored or approved. */
export async function crossSiteWrite (attacker: AdvNode, victim: AdvNode, held: SignedArtifact[]): Promise<WebPathResult> {
  const poison = await freshPoison(attacker, 'web')
  const app = createApi(servicesFromNode(victim.node), { rateLimit: false })
  const page = { host: '127.0.0.1:7777', origin: 'http://evil.example' }
  const sent: Array<Response | Promise<Response>> = []
  for (const p of poison) {
    const body = JSON.stringify({ bytes: Buffer.from(p.bytes).toString('base64') })
    for (const type of ['text/plain', 'application/json']) {
      sent.push(app.request('/api/library', { method: 'POST', headers: { ...page, 'content-type': type }, body }))
    }
  }
  for (const p of held) {
    sent.push(app.request(`/api/trust/${p.cid.toString()}/approve`, { method: 'POST', headers: { ...page, 'content-type': 'application/json' }, body: '{}' }))
  }
  sent.push(app.request('/api/library', { headers: { host: 'evil.example' } }))
  const statuses = (await Promise.all(sent)).map(r => r.status)
  const refused = statuses.filter(s => s === 403 || s === 415).length
  return { ...tally([victim], [...poison, ...held]), requests: statuses.length, refused }
}
