/**
 * `servicesFromNode`: the `NodeServices` of a running `BaobabNode` — the library parts from
 * `servicesFromParts`, plus routing, answering, peers, sync and outcome synthesis from the node,
 * and the node's mesh events turned into the activity feed.
 */
import { CapabilityUnavailableError } from './errors.ts'
import { EventHub } from './event-hub.ts'
import { servicesFromParts } from './services-from-parts.ts'
import type { BaobabNode, PreparedAnswer } from '../node/index.ts'
import type { OutcomeMatch } from '../outcomes/index.ts'
import type { NodeServices, OutcomeSummary, RouteExplanation } from './types.ts'

export function explainRoute (p: PreparedAnswer): RouteExplanation {
  const d = p.decision
  return {
    question: p.question,
    expert: p.expert != null ? { name: p.expert.name, domain: p.expert.domain } : null,
    abstained: p.expert == null,
    forced: p.forced,
    scores: d.scores.map(s => ({ name: s.name, domain: s.domain, score: s.score })),
    threshold: d.threshold,
    margin: d.minMargin,
    reason: d.reason,
    topExemplars: d.topExemplars.map(x => ({ expert: x.name, q: x.q, score: x.score })),
    experiences: p.experiences.map(e => ({ cid: e.cid, text: e.text, score: e.score })),
    turns: p.turns
  }
}

function outcomeSummary (m: OutcomeMatch): OutcomeSummary {
  const b = m.body
  return {
    cid: m.cid, family: b.family, task: b.task, tags: b.tags, benchmark: b.benchmark, method: b.method, baseline: b.baseline,
    score: b.score, delta: b.delta, nEval: b.nEval, confidence: b.confidence, params: b.params, author: m.author, exact: m.match === 'exact'
  }
}

export function servicesFromNode (node: BaobabNode, events: EventHub = new EventHub()): NodeServices {
  const mesh = node.mesh
  if (mesh != null) {
    mesh.on('peer:connected', ({ peer }) => { events.publish({ type: 'peer', message: `connected to ${peer}`, data: { peer } }) })
    mesh.on('peer:disconnected', ({ peer }) => { events.publish({ type: 'peer', message: `disconnected from ${peer}`, data: { peer } }) })
    mesh.on('sync:done', r => { events.publish({ type: 'sync', message: `synced with ${r.peer}: ${r.need.length} new, ${r.have.length} offered, ${r.bytesSent + r.bytesReceived} bytes`, data: { ...r } }) })
    for (const ev of ['artifact:admitted', 'artifact:rejected', 'artifact:quarantined'] as const) {
      // a new arrival (inserted) or a decision about one (the trust pipeline decides after storing)
      mesh.on(ev, r => { if (r.inserted || r.status !== 'quarantined') events.publish({ type: 'admission', message: `${r.kind} ${r.cid} ${r.status}${r.reason != null ? `: ${r.reason}` : ''}`, data: { ...r } }) })
    }
  }
  const signalOf = (o?: { signal?: AbortSignal }): { signal?: AbortSignal } => o?.signal != null ? { signal: o.signal } : {}
  return servicesFromParts({
    library: node.library,
    peerId: node.peerId,
    config: node.config,
    embedder: node.embedder,
    trust: node.trust,
    runtime: node.runtime,
    experienceSource: node.experiences,
    events,
    startedAt: node.startedAt
  }, {
    async experts () {
      // The experts the answer path can use (route to, or force): trusted adapters, newest per name.
      return node.experts()
        .map(e => ({ name: e.name, domain: e.domain, cid: e.cid, description: e.description, exemplars: e.body.exemplars.length, created: e.created }))
        .sort((a, b) => a.name.localeCompare(b.name))
    },
    async status () {
      const base = await servicesFromParts({
        library: node.library, peerId: node.peerId, config: node.config, embedder: node.embedder, runtime: node.runtime, startedAt: node.startedAt
      }).status()
      return {
        ...base,
        peers: mesh?.isStarted() === true ? mesh.peers().length : 0,
        addresses: mesh?.isStarted() === true ? mesh.multiaddrs() : [],
        checks: node.trust.status().checks
      }
    },
    async peers () {
      if (mesh?.isStarted() !== true) return []
      return mesh.peers().map(p => ({ id: p.peer, addrs: p.addrs, connected: true }))
    },
    async route (question, options) {
      const p = await node.prepare([{ role: 'user', content: question }], { ...signalOf(options), ...(options?.expert != null ? { expert: options.expert } : {}) })
      const r = explainRoute(p)
      events.publish({ type: 'route', message: `"${question.slice(0, 60)}" → ${r.expert?.name ?? 'abstained'}`, data: { expert: r.expert?.name ?? null } })
      return r
    },
    async ask (input, options) {
      const s = await node.askStream(input.messages, {
        ...signalOf(options),
        ...(input.expert != null ? { expert: input.expert } : {}),
        ...(input.maxTokens != null ? { maxTokens: input.maxTokens } : {}),
        ...(input.temperature != null ? { temperature: input.temperature } : {}),
        ...(input.seed != null ? { seed: input.seed } : {}),
        ...(input.tools != null ? { tools: input.tools } : {}),
        ...(input.toolChoice != null ? { toolChoice: input.toolChoice } : {}),
        ...(input.responseFormat != null ? { responseFormat: input.responseFormat } : {}),
        ...(input.stop != null ? { stop: input.stop } : {})
      })
      const route = explainRoute(s)
      events.publish({ type: 'route', message: `"${s.question.slice(0, 60)}" → ${route.expert?.name ?? 'abstained'}`, data: { expert: route.expert?.name ?? null } })
      return { route, model: `${node.runtime.provider}/${node.runtime.modelId}`, parts: s.parts }
    },
    outcomes: {
      async query (q, options) {
        const r = await node.outcomes.query({ family: q.family ?? '', task: q.task, tags: q.tags ?? [] }, signalOf(options))
        return r.matches.slice(0, q.limit ?? 50).map(outcomeSummary)
      },
      async recommend (q, options) {
        const r = await node.outcomes.recommend({ family: q.family ?? '', task: q.task, tags: q.tags ?? [] }, signalOf(options))
        const params: Record<string, string | number | boolean> = {}
        for (const [k, v] of Object.entries(r.params)) {
          if (v.kind === 'numeric') params[k] = v.median
          else if (v.value != null) params[k] = v.value
        }
        if (r.method != null) params.method = r.method
        return {
          task: q.task,
          family: q.family ?? null,
          params,
          expectedDelta: r.expectedDelta?.mean ?? null,
          confidence: r.evidence.length === 0 ? 0 : Math.min(1, r.evidence.length / 5),
          evidence: r.evidence.map(e => ({ cid: e.cid, weight: e.weight, delta: e.body.delta, author: e.author })).sort((a, b) => b.weight - a.weight),
          network: r.query.network
        }
      }
    },
    async syncNow (options) {
      const started = Date.now()
      if (mesh?.isStarted() !== true) throw new CapabilityUnavailableError('mesh sync', 'is not available: the mesh is not running (baobab start)')
      const peers = mesh.peers()
      const results = await Promise.allSettled(peers.map(async p => mesh.syncWith(p.peer, signalOf(options))))
      const errors: string[] = []
      let received = 0
      let sent = 0
      for (const r of results) {
        if (r.status === 'fulfilled') { received += r.value.fetched.length; sent += r.value.have.length } else errors.push(String((r.reason as Error)?.message ?? r.reason))
      }
      return { peers: peers.length, received, sent, errors, durationMs: Date.now() - started }
    }
  })
}
