/**
 * The adversarial scenario on product nodes (test/adversarial/nodes.ts: each built by
 * `createNode` from a config, with its own key, SQLite library and libp2p node on TCP loopback).
 * Honest nodes admit through the trust pipeline (community policy) and allow-list the canary
 * nodes, which run the tiny GGUF as their model: the adapter canary and outcome reproduction (the
 * recall evaluation, re-run) are the ones `createNode` wires (the experience A/B check too, with
 * `abCheck`: it generates for every lesson, minutes on 2 shared cores). Attacks
 * (test/adversarial/content.ts): poisoned adapters (huge norms, NaN, wrong shapes, a backdoor),
 * junk and injection experiences, inflated outcomes (a recall claim the canary nodes re-measure;
 * farming claims nobody here can measure, which stay held), a replay of a revoked artifact,
 * sybil votes and reproductions, announcement floods, malformed protocol frames and artifacts
 * after convergence, and poison offered by one-shot sync and in a CAR file
 * (test/adversarial/attack-paths.ts). Nothing is an oracle: every verdict is a node's own check.
 */
import { rmSync } from 'node:fs'
import { peerIdFromString } from '@libp2p/peer-id'
import { FETCH_PROTOCOL, SYNC_PROTOCOL } from '../../src/mesh/constants.ts'
import { checkTrustState } from '../../src/trust/integrity.ts'
import { carImport, crossSiteWrite, oneShotSync } from './attack-paths.ts'
import { attackerContent, honestContent, measureRecall, publish } from './content.ts'
import { connect, mesh, startNode, stopNode, writeAbTasks } from './nodes.ts'
import { experienceBody, sign, tempDir } from '../trust/helpers.ts'
import { writeRecallData } from '../helpers/recall-data.ts'
import type { PathResult, WebPathResult } from './attack-paths.ts'
import type { AdvNode } from './nodes.ts'

export interface ScenarioInit {
  nodes: number
  maliciousShare: number
  /** Honest nodes that run a local model (canary, A/B check, reproduction). */
  canaryNodes: number
  sybilsPerAttacker: number
  floodAnnouncements: number
  malformedPerAttacker: number
  maxRounds?: number
  /** Canary nodes also run the experience A/B check on a small task set (default false). */
  abCheck?: boolean
  /** Also attack through one-shot sync and a CAR import (default true). */
  attackPaths?: boolean
  log?: (line: string) => void
}

export interface ScenarioResult {
  nodes: number
  malicious: number
  maliciousShare: number
  poisonedPublished: number
  poisonedAccepted: number
  poisonedAcceptedByKind: Record<string, number>
  honestExpected: number
  honestAccepted: number
  honestAcceptedRate: number
  honestLeftInQuarantine: number
  timeToConvergeMs: number
  syncRounds: number
  sybilVotes: number
  maxSybilWeight: number
  replayRefusedOrRevoked: number
  replayAttempts: number
  floodAnnouncements: number
  floodIgnoredByGuards: number
  malformedSent: number
  malformedRefusedNamed: number
  /** Garbage streams opened on the fetch and sync protocols. */
  garbageStreams: number
  /** Honest-to-honest syncs completed after the garbage (each would throw if the mesh had broken). */
  syncsAfterGarbage: number
  honestBytes: number
  maliciousBytesAbsorbed: number
  trustBytes: number
  trustTrafficShare: number
  rejectionsWithoutReason: number
  integrityProblems: string[]
  attackerGossipScore: number
  /** Poison offered by one-shot sync to a fresh node without a model. */
  syncPath?: PathResult
  /** Poison in a CAR file imported by a canary node and by a fresh node. */
  carPath?: PathResult
  /** A foreign web page writing to an honest node's local API. */
  webPath?: WebPathResult
  /** Reproductions the canary nodes signed by re-running the recall evaluation. */
  localReproductions: number
}

export async function runScenario (init: ScenarioInit): Promise<ScenarioResult> {
  const log = init.log ?? (() => {})
  const malicious = Math.round(init.nodes * init.maliciousShare)
  const work = tempDir('baobab-adv-data-')
  // the A/B check on every lesson costs minutes of generation on 2 cores: on with `abCheck`
  const setup = { evalData: writeRecallData(work), ...(init.abCheck === true ? { tasks: writeAbTasks(work) } : {}) }
  const nodes: AdvNode[] = []
  for (let i = 0; i < init.nodes; i++) nodes.push(await startNode(i, i >= init.nodes - malicious ? 'attacker' : i < init.canaryNodes ? 'canary' : 'honest', setup))
  const honestNodes = nodes.filter(n => n.honest)
  const attackers = nodes.filter(n => !n.honest)
  const canaries = nodes.filter(n => n.canary)
  const peers = nodes.map(n => n.peer)
  // the user of each honest node allow-lists the nodes that run a model (`baobab trust allow`)
  for (const h of honestNodes) for (const c of canaries) if (c !== h) h.node.trust.setPeer(c.peer, 'allow', 'runs a local model')
  const served = { honest: 0, malicious: 0, trust: 0 }
  for (const n of nodes) {
    mesh(n).on('fetch:served', e => {
      const to = nodes.find(x => x.peer === e.peer)
      if (to == null || !to.honest) return
      const kind = n.node.library.get(e.cid)?.kind
      if (n.honest && (kind === 'vote' || kind === 'reproduction' || kind === 'revocation')) served.trust += e.bytes
      else if (n.honest) served.honest += e.bytes
      else served.malicious += e.bytes
    })
  }
  await connect(nodes)
  const t0 = performance.now()
  log(`started and connected ${init.nodes} nodes (${canaries.length} with the tiny model)`)

  // ── honest content ─────────────────────────────────────────────────────────────────────────────
  const recall = await measureRecall(setup.evalData)
  log(`recall evaluation measured Δ ${(recall.score - recall.baseline).toFixed(3)} (routing, retrieval)`)
  const honest = await honestContent(honestNodes, recall)
  // an honest author publishes, then revokes, a lesson: attackers will replay it
  const reviser = honestNodes[Math.min(2, honestNodes.length - 1)]!
  const revokedLesson = await sign('experience', experienceBody('Give calves cold water straight after feeding milk, it settles digestion.', { domain: 'farming' }), reviser.key)
  publish(reviser, revokedLesson)
  await reviser.node.trust.revoke(revokedLesson.cid.toString(), 'wrong advice')

  // ── attacks ────────────────────────────────────────────────────────────────────────────────────
  const { poisoned, sybilVotes } = await attackerContent(attackers, honest, recall, init.sybilsPerAttacker)
  log(`published at ${Math.round(performance.now() - t0)} ms: ${honest.length} honest, ${poisoned.length} poisoned, ${sybilVotes} sybil votes`)
  // announcement flood: signed announcements for artifacts that exist nowhere
  for (const m of attackers) {
    for (let f = 0; f < Math.ceil(init.floodAnnouncements / attackers.length); f++) {
      const fake = await sign('experience', experienceBody(`Flood ${m.i}-${f}: check the water troughs every single day.`), m.key)
      await mesh(m).announce(fake).catch(() => {})
    }
  }

  // ── convergence: sync rounds until no honest node changes ───────────────────────────────────────
  const snapshot = (): string => honestNodes.map(n => JSON.stringify(n.node.trust.status().byStatus)).join('|')
  let rounds = 0
  let converged = t0
  let replayAttempts = 0
  for (let r = 0; r < (init.maxRounds ?? 8); r++) {
    const before = snapshot()
    await Promise.all(honestNodes.map(async h => {
      for (const other of nodes) {
        if (other === h) continue
        await mesh(h).syncWith(peerIdFromString(other.peer)).catch(err => { log(`sync ${h.i}→${other.i}: ${(err as Error).message}`) })
      }
    }))
    await Promise.all(honestNodes.map(async h => h.node.trust.admission.settled()))
    rounds++
    log(`sync round ${r + 1} done at ${Math.round(performance.now() - t0)} ms`)
    if (r === 0) {
      // replay: attackers offer the revoked lesson again (and re-serve each other's rejected poison)
      for (const m of attackers) {
        publish(m, revokedLesson)
        await mesh(m).announce(revokedLesson).catch(() => {})
        replayAttempts++
      }
    }
    const after = snapshot()
    if (after !== before || r === 0) converged = performance.now()
    else if (r > 0) break
  }
  const timeToConvergeMs = Math.round(converged - t0)

  // ── malformed traffic after convergence: honest nodes must shrug it off ────────────────────────
  let malformedSent = 0
  let malformedRefusedNamed = 0
  let garbageStreams = 0
  const good = honest[0]!
  for (const m of attackers) {
    for (let x = 0; x < init.malformedPerAttacker; x++) {
      const h = honestNodes[x % honestNodes.length]!
      const variants = [new Uint8Array(70_000).fill(0xa1), good.bytes.slice(0, good.bytes.length - 3), Uint8Array.from([...good.bytes, 0]), Uint8Array.from(good.bytes, (b, i) => i === 40 ? b ^ 1 : b)]
      const bytes = variants[x % variants.length]!
      malformedSent++
      try {
        await h.node.trust.admission.admit(bytes, { source: { type: 'peer', peer: m.peer } })
      } catch (err) {
        if (err instanceof Error && err.name !== 'Error' && err.name !== 'TypeError') malformedRefusedNamed++
      }
      for (const proto of [FETCH_PROTOCOL, SYNC_PROTOCOL]) {
        try {
          const s = await mesh(m).libp2p.dialProtocol(peerIdFromString(h.peer), proto)
          s.send(Uint8Array.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]))
          await s.close().catch(() => {})
        } catch {
          // the honest side may reset the stream before the bytes are written
        }
        garbageStreams++ // what the mesh does with them is checked below: honest syncs still work
      }
    }
  }
  // honest nodes still sync with each other after the garbage
  let syncsAfterGarbage = 0
  for (const h of honestNodes.slice(1)) {
    const r = await mesh(h).syncWith(peerIdFromString(honestNodes[0]!.peer), { fetch: false })
    syncsAfterGarbage++
    if (r.need.length > 0) log(`after garbage: node ${h.i} still lacks ${r.need.length} trusted item(s) of node 0`)
  }

  // ── other ways in: one-shot sync, a CAR import and a cross-site write to the HTTP API ──
  let syncPath: PathResult | undefined
  let carPath: PathResult | undefined
  let webPath: WebPathResult | undefined
  if (init.attackPaths !== false && attackers.length > 0) {
    const own = (m: AdvNode): typeof poisoned => poisoned.filter(p => p.envelope.author === m.peer)
    syncPath = await oneShotSync(attackers[0]!, own(attackers[0]!))
    log(`one-shot sync: ${syncPath.accepted} of ${syncPath.offered} poisoned accepted: ${JSON.stringify(syncPath.outcomes)}`)
    const carFrom = attackers[attackers.length - 1]!
    carPath = await carImport(carFrom, canaries[0] ?? honestNodes[0]!, own(carFrom))
    log(`CAR import: ${carPath.accepted} of ${carPath.offered} × 2 poisoned accepted: ${JSON.stringify(carPath.outcomes)}`)
    const victim = honestNodes[0]!
    const held = poisoned.filter(p => victim.node.library.get(p.cid.toString())?.status === 'quarantined')
    webPath = await crossSiteWrite(attackers[0]!, victim, held)
    log(`cross-site HTTP: ${webPath.refused} of ${webPath.requests} requests refused, ${webPath.accepted} of ${webPath.offered} poisoned accepted: ${JSON.stringify(webPath.outcomes)}`)
  }

  // ── measure ────────────────────────────────────────────────────────────────────────────────────
  let poisonedAccepted = 0
  const poisonedAcceptedByKind: Record<string, number> = {}
  let honestExpected = 0
  let honestAccepted = 0
  let honestLeftInQuarantine = 0
  let replayRefusedOrRevoked = 0
  let rejectionsWithoutReason = 0
  let maxSybilWeight = 0
  const integrityProblems: string[] = []
  const attackerPeers = new Set(attackers.map(a => a.peer))
  for (const h of honestNodes) {
    for (const p of [...poisoned, revokedLesson]) {
      if (h.node.library.get(p.cid.toString())?.status === 'trusted') {
        poisonedAccepted++
        poisonedAcceptedByKind[p.envelope.kind] = (poisonedAcceptedByKind[p.envelope.kind] ?? 0) + 1
      }
    }
    const rl = h.node.library.get(revokedLesson.cid.toString())
    if (h !== reviser && (rl == null || rl.status === 'revoked')) replayRefusedOrRevoked++
    for (const a of honest) {
      if (a.envelope.author === h.peer) continue
      honestExpected++
      const s = h.node.library.get(a.cid.toString())?.status
      if (s === 'trusted') honestAccepted++
      else if (s === 'quarantined') honestLeftInQuarantine++
      else log(`node ${h.i}: honest ${a.envelope.kind} ${a.cid.toString()} is ${s ?? 'missing'}: ${h.node.library.get(a.cid.toString())?.reason ?? ''}`)
    }
    for (const a of h.node.library.list({ status: ['rejected', 'quarantined', 'revoked'] })) if (a.reason == null || a.reason === '') rejectionsWithoutReason++
    for (const r of h.node.trust.refusals(10_000)) if (r.reason === '') rejectionsWithoutReason++
    for (const p of h.node.trust.peers()) if (!peers.includes(p.peer) || attackerPeers.has(p.peer)) maxSybilWeight = Math.max(maxSybilWeight, p.list === 'allow' ? 0 : p.weight)
    for (const problem of checkTrustState(h.node.library, h.peer)) integrityProblems.push(`node ${h.i}: ${problem}`)
  }
  const attackerGossipScore = Math.max(...honestNodes.flatMap(h => attackers.map(a => h.node.trust.reputation.gossipScore(a.peer))))
  const floodIgnoredByGuards = honestNodes.reduce((s, h) => s + (h.node.gossipGuardStats()?.ignored ?? 0), 0)
  const localReproductions = canaries.reduce((s, c) => s + c.node.library.list({ kind: 'reproduction', author: c.peer }).length, 0)
  const total = served.honest + served.trust
  const result: ScenarioResult = {
    nodes: init.nodes,
    malicious,
    maliciousShare: malicious / init.nodes,
    poisonedPublished: poisoned.length + 1,
    poisonedAccepted,
    poisonedAcceptedByKind,
    honestExpected,
    honestAccepted,
    honestAcceptedRate: honestExpected === 0 ? 0 : honestAccepted / honestExpected,
    honestLeftInQuarantine,
    timeToConvergeMs,
    syncRounds: rounds,
    sybilVotes,
    maxSybilWeight,
    replayRefusedOrRevoked,
    replayAttempts,
    floodAnnouncements: init.floodAnnouncements,
    floodIgnoredByGuards,
    malformedSent,
    malformedRefusedNamed,
    garbageStreams,
    syncsAfterGarbage,
    honestBytes: served.honest,
    maliciousBytesAbsorbed: served.malicious,
    trustBytes: served.trust,
    trustTrafficShare: total === 0 ? 0 : served.trust / total,
    rejectionsWithoutReason,
    integrityProblems,
    attackerGossipScore,
    ...(syncPath != null ? { syncPath } : {}),
    ...(carPath != null ? { carPath } : {}),
    ...(webPath != null ? { webPath } : {}),
    localReproductions
  }
  for (const n of nodes) await stopNode(n)
  rmSync(work, { recursive: true, force: true })
  return result
}
