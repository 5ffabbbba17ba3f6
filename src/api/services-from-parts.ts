/**
 * `servicesFromParts`: a `NodeServices` over the parts that need no running node — the library
 * (list/show, experts, experiences, outcome records, the quarantine) and the embedder. What
 * changes the library (add, remove, approve, reject) goes through the node's trust pipeline, as
 * `baobab import`, `library rm` and `trust quarantine approve|reject` do: screens, deny-list,
 * votes and the decision journal (an approval is journalled as the user's). Without `trust`,
 * those answer `CapabilityUnavailableError`. What needs the node (`route`, `ask`, `peers`,
 * `syncNow`, `outcomes.recommend`) comes from `overrides` (`servicesFromNode` supplies them) or
 * answers `CapabilityUnavailableError` (HTTP 503).
 */
import { envelopeToJson } from '../artifacts/index.ts'
import { ArtifactNotFoundError, STATUSES } from '../library/index.ts'
import { CapabilityUnavailableError, InvalidRequestError } from './errors.ts'
import { EventHub } from './event-hub.ts'
import type { AdapterBody, ExperienceBody, Kind, OutcomeBody } from '../artifacts/index.ts'
import type { NodeConfig } from '../config.ts'
import type { ExperienceSource } from '../learn/index.ts'
import type { Library, Status, StoredArtifact } from '../library/index.ts'
import { cosine } from '../embedding/index.ts'
import type { Embedder } from '../embedding/index.ts'
import type { LlmRuntime } from '../runtime/index.ts'
import type { Trust } from '../trust/index.ts'
import type { ArtifactSummary, ExperienceSummary, ExpertInfo, NodeServices, OutcomeSummary } from './types.ts'

export interface ServiceParts {
  library: Library
  peerId: string
  config: NodeConfig
  embedder?: Embedder
  /** The node's trust layer: every write goes through it. */
  trust?: Trust
  /** Shown by `status()`; default from config. */
  runtime?: Pick<LlmRuntime, 'provider' | 'modelId'>
  /** Experience search (learn's `experienceSource`); without it, cosine over the embedder. */
  experienceSource?: ExperienceSource
  events?: EventHub
  version?: string
  startedAt?: number
}

export type ServiceOverrides = Partial<NodeServices>

export function artifactSummary (a: StoredArtifact): ArtifactSummary {
  const body = a.envelope.body as { name?: string, text?: string, task?: string, reason?: string, target?: unknown }
  return {
    cid: a.cid.toString(),
    kind: a.kind,
    author: a.author,
    created: a.created,
    domain: a.domain,
    status: a.status,
    shareable: a.shareable,
    title: body.name ?? body.text ?? body.task ?? body.reason ?? (body.target != null ? `on ${String(body.target)}` : ''),
    reason: a.reason,
    sourcePeer: a.sourcePeer
  }
}

function unavailable (capability: string): () => Promise<never> {
  return async () => { throw new CapabilityUnavailableError(capability) }
}

function isKind (k: string): k is Kind {
  return ['adapter', 'experience', 'outcome', 'vote', 'reproduction', 'revocation'].includes(k)
}

function isStatus (s: string): s is Status {
  return (STATUSES as readonly string[]).includes(s)
}

export function servicesFromParts (parts: ServiceParts, overrides: ServiceOverrides = {}): NodeServices {
  const { library, config, embedder } = parts
  const events = parts.events ?? new EventHub()
  const startedAt = parts.startedAt ?? Date.now()
  const get = (cid: string): StoredArtifact => {
    const a = library.get(cid)
    if (a == null) throw new ArtifactNotFoundError(cid)
    return a
  }
  const experts = (): ExpertInfo[] => {
    const byName = new Map<string, ExpertInfo>()
    for (const a of library.list({ kind: 'adapter', status: 'trusted' })) {
      const b = a.envelope.body as AdapterBody
      const prev = byName.get(b.name)
      // Newest version of a name wins.
      if (prev != null && prev.created >= a.created) continue
      byName.set(b.name, {
        name: b.name, domain: b.domain, cid: a.cid.toString(), description: b.description, exemplars: b.exemplars.length, created: a.created
      })
    }
    return [...byName.values()].sort((x, y) => x.name.localeCompare(y.name))
  }
  const experienceSummary = (a: StoredArtifact, score?: number): ExperienceSummary => {
    const b = a.envelope.body as ExperienceBody
    const s: ExperienceSummary = { cid: a.cid.toString(), text: b.text, domain: b.domain, tags: b.tags, confidence: b.confidence, status: a.status }
    if (score != null) s.score = score
    return s
  }
  const trust = (): Trust => {
    if (parts.trust == null) throw new CapabilityUnavailableError('changing the library', 'needs the node\'s trust layer')
    return parts.trust
  }
  /** The user's decision, as `baobab trust quarantine approve|reject`: a signed vote and a journal entry. */
  const decide = async (cid: string, verdict: 'approve' | 'reject', reason?: string): Promise<ArtifactSummary> => {
    const a = get(cid)
    const r = verdict === 'approve' ? await trust().approve(cid, reason) : await trust().reject(cid, reason)
    events.publish({ type: 'admission', message: `${verdict === 'approve' ? 'approved' : 'rejected'} ${a.kind} ${artifactSummary(a).title}`, data: { cid, kind: a.kind, status: r.status } })
    return artifactSummary(get(cid))
  }

  const base: NodeServices = {
    async status () {
      const byStatus = Object.fromEntries(STATUSES.map(s => [s, library.list({ status: s }).length]))
      return {
        peerId: parts.peerId,
        network: config.network,
        version: parts.version ?? '0.1.0',
        startedAt,
        policy: config.policy,
        runtime: parts.runtime != null ? { provider: parts.runtime.provider, modelId: parts.runtime.modelId } : { provider: config.runtime.kind, modelId: config.runtime.model ?? 'default' },
        embedder: embedder != null ? { id: embedder.id, dims: embedder.dims } : { id: config.embedder.kind, dims: 0 },
        library: { byKind: library.counts(), byStatus },
        peers: 0,
        addresses: []
      }
    },
    peers: async () => [],
    library: {
      async list (query = {}) {
        if (query.kind != null && query.kind !== '' && !isKind(query.kind)) throw new InvalidRequestError(`unknown kind "${query.kind}"`, 'kind')
        if (query.status != null && query.status !== '' && !isStatus(query.status)) throw new InvalidRequestError(`unknown status "${query.status}"`, 'status')
        return library.list({
          ...(query.kind != null && query.kind !== '' ? { kind: query.kind as Kind } : {}),
          ...(query.status != null && query.status !== '' ? { status: query.status as Status } : {}),
          ...(query.domain != null && query.domain !== '' ? { domain: query.domain } : {}),
          ...(query.author != null && query.author !== '' ? { author: query.author } : {}),
          limit: query.limit ?? 500
        }).map(artifactSummary)
      },
      async show (cid) {
        const a = get(cid)
        return { ...artifactSummary(a), bytes: a.bytes.length, envelope: envelopeToJson(a.envelope) }
      },
      async add (bytes, options) {
        // as `baobab import`: verified, refused or held, screened and decided by the trust pipeline
        const r = await trust().admission.admit(bytes, { source: { type: 'local' }, throwOnRefusal: true, ...(options?.signal != null ? { signal: options.signal } : {}) })
        const stored = library.get(r.cid)
        if (r.inserted && stored != null) events.publish({ type: 'library', message: `added ${stored.kind} ${artifactSummary(stored).title} (${r.status})`, data: { cid: r.cid, kind: stored.kind, status: r.status } })
        return { cid: r.cid, inserted: r.inserted, status: r.status, reason: r.reason }
      },
      async remove (cid) {
        trust().remove(cid)
        events.publish({ type: 'library', message: `removed ${cid}`, data: { cid } })
      }
    },
    experts: async () => experts(),
    route: unavailable('routing'),
    ask: unavailable('answering'),
    async embed (texts, options) {
      if (embedder == null) throw new CapabilityUnavailableError('embeddings')
      const r = await embedder.doEmbed({ values: texts, ...(options?.signal != null ? { signal: options.signal } : {}) })
      return { model: embedder.id, dims: embedder.dims, embeddings: r.embeddings.map(e => Array.from(e)) }
    },
    experiences: {
      async list (query = {}) {
        return library.list({ kind: 'experience', status: 'trusted', ...(query.domain != null ? { domain: query.domain } : {}), limit: query.limit ?? 200 })
          .map(a => experienceSummary(a))
      },
      async search (query, options) {
        if (parts.experienceSource != null) {
          const found = await parts.experienceSource.relevant(query, {
            k: options?.limit ?? 10,
            tokenBudget: Number.MAX_SAFE_INTEGER,
            ...(options?.signal != null ? { signal: options.signal } : {})
          })
          return found.flatMap(e => {
            const a = library.get(e.cid)
            return a == null ? [] : [experienceSummary(a, round(e.score))]
          })
        }
        if (embedder == null) throw new CapabilityUnavailableError('experience search', 'needs an embedder')
        const items = library.list({ kind: 'experience', status: 'trusted', limit: 5000 })
        if (items.length === 0) return []
        const texts = [query, ...items.map(a => (a.envelope.body as ExperienceBody).text)]
        const { embeddings } = await embedder.doEmbed({ values: texts, ...(options?.signal != null ? { signal: options.signal } : {}) })
        const q = embeddings[0]!
        const scored = items.map((a, i) => experienceSummary(a, round(cosine(q, embeddings[i + 1]!))))
        return scored.sort((x, y) => (y.score ?? 0) - (x.score ?? 0)).slice(0, options?.limit ?? 10)
      }
    },
    outcomes: {
      async query (query) {
        const task = query.task.toLowerCase()
        const tags = (query.tags ?? []).map(t => t.toLowerCase())
        return library.list({ kind: 'outcome', status: ['trusted', 'quarantined'], limit: 5000 })
          .filter(a => {
            const b = a.envelope.body as OutcomeBody
            return b.task.toLowerCase() === task && (query.family == null || b.family === query.family) && tags.every(t => b.tags.includes(t))
          })
          .map(a => outcomeSummary(a))
          .sort((x, y) => y.delta - x.delta)
          .slice(0, query.limit ?? 50)
      },
      recommend: unavailable('outcome synthesis')
    },
    trust: {
      async quarantine () {
        return library.list({ status: 'quarantined', limit: 1000 }).map(a => ({ ...artifactSummary(a), checks: a.reason != null ? [a.reason] : [] }))
      },
      approve: async (cid, options) => decide(cid, 'approve', options?.reason),
      reject: async (cid, options) => decide(cid, 'reject', options?.reason)
    },
    syncNow: unavailable('mesh sync'),
    subscribe: (listener) => events.subscribe(listener)
  }
  return { ...base, ...overrides }
}

function outcomeSummary (a: StoredArtifact): OutcomeSummary {
  const b = a.envelope.body as OutcomeBody
  return {
    cid: a.cid.toString(), family: b.family, task: b.task, tags: b.tags, benchmark: b.benchmark, method: b.method,
    baseline: b.baseline, score: b.score, delta: b.delta, nEval: b.nEval, confidence: b.confidence, params: b.params, author: a.author, exact: true
  }
}

function round (x: number): number {
  return Math.round(x * 1e4) / 1e4
}
