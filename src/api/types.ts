/**
 * `NodeServices`: everything the HTTP API, the web dashboard and the MCP server need from a
 * running node, and nothing more. Every value is JSON-shaped (strings, numbers, plain objects)
 * except the token stream of an answer. `src/node/` implements it; interfaces never reach
 * into components directly.
 *
 * Methods throw named errors (`err.name`); the API maps names to HTTP statuses in one place
 * (`error-map.ts`): `*NotFound*` → 404, `Invalid*`/`Malformed*`/… → 400,
 * `CapabilityUnavailableError` → 503.
 */
import type { ChatMessage, FinishReason, GenerationSettings, ResponseFormat, StreamPart, ToolCall, ToolChoice, ToolDefinition, Usage } from '../runtime/index.ts'

export type { ChatMessage, ResponseFormat, StreamPart, ToolCall, ToolChoice, ToolDefinition }

export interface CallOptions {
  signal?: AbortSignal
}

export interface NodeStatus {
  peerId: string
  network: string
  version: string
  /** Unix ms when the node started. */
  startedAt: number
  policy: string
  runtime: { provider: string, modelId: string }
  embedder: { id: string, dims: number }
  /** Artifact counts by kind and by status. */
  library: { byKind: Record<string, number>, byStatus: Record<string, number> }
  /** Connected peers right now. */
  peers: number
  /** Listening multiaddrs of the mesh (empty when the mesh is off). */
  addresses: string[]
  /** The checks this node runs on what peers send (canary, experience A/B, reproduction): available, and by what or why not. */
  checks?: Record<string, { available: boolean, detail: string }>
}

export interface PeerInfo {
  id: string
  addrs: string[]
  connected: boolean
  /** Round-trip time of the last ping, when known. */
  latencyMs?: number
  /** Unix ms of the last message from this peer. */
  lastSeen?: number
  /** Trust reputation 0..1, when known. */
  reputation?: number
}

export interface ArtifactSummary {
  cid: string
  kind: string
  author: string
  /** Unix ms, from the signed envelope. */
  created: number
  domain: string | null
  status: string
  shareable: boolean
  /** A readable one-liner: adapter name, experience text, outcome task, … */
  title: string
  /** Why the status was last set. */
  reason: string | null
  sourcePeer: string | null
}

export interface ArtifactDetail extends ArtifactSummary {
  /** Encoded size in bytes. */
  bytes: number
  /** The envelope as JSON (CIDs as strings, bytes as base64). */
  envelope: unknown
}

export interface LibraryQuery {
  kind?: string
  status?: string
  domain?: string
  author?: string
  limit?: number
}

export interface AddResult {
  cid: string
  /** False when the library already held this CID. */
  inserted: boolean
  status: string
  /** Why the trust pipeline gave it this status. */
  reason?: string | null
}

/** An expert: a knowledge item the router can choose (an adapter or knowledge card). */
export interface ExpertInfo {
  /** Unique within the node; the OpenAI model id is `baobab/<name>`. */
  name: string
  domain: string
  cid: string
  description: string
  exemplars: number
  /** Unix ms the expert was created. */
  created: number
}

export interface ExpertScore {
  name: string
  domain: string
  score: number
}

export interface ExemplarHit {
  /** Expert the exemplar belongs to. */
  expert: string
  q: string
  score: number
}

export interface ExperienceRef {
  cid: string
  text: string
  score?: number
}

/** Why the router chose (or refused to choose) an expert for a question. */
export interface RouteExplanation {
  question: string
  /** The chosen expert, or null when the router abstained or nothing was forced. */
  expert: { name: string, domain: string } | null
  abstained: boolean
  /** True when the caller forced the expert (`baobab/<name>`). */
  forced: boolean
  /** One entry per expert, best first. */
  scores: ExpertScore[]
  /** Absolute score the winner must reach; below it the router abstains (null: none). */
  threshold: number | null
  /** Required lead of the winner over the runner-up (null: none). */
  margin: number | null
  reason: string
  /** Exemplars that decided, best first. */
  topExemplars: ExemplarHit[]
  /** Experiences put into the prompt. */
  experiences: ExperienceRef[]
  /** Indices (into the messages) of the user turns the decision was made on, last turn first. */
  turns?: number[]
}

export interface AskInput extends GenerationSettings {
  /** The conversation; the last user turn is routed first, earlier user turns as context. */
  messages: ChatMessage[]
  /** Force this expert by name; absent: route automatically. */
  expert?: string
}

/** An answer in flight: the routing decision is known before the first token. */
export interface AskStream {
  route: RouteExplanation
  /** Runtime that produces the answer, e.g. `retrieval/exemplars`. */
  model: string
  /** `text-start`, `text-delta`*, `text-end`, `finish` (or `error`), as LlmRuntime.doStream. */
  parts: ReadableStream<StreamPart>
}

export interface AskResult {
  route: RouteExplanation
  model: string
  text: string
  finishReason: FinishReason
  usage: Usage
  warnings: string[]
  retrieved: boolean
  /** Function calls the model asked for (finish reason `tool-calls`). */
  toolCalls: ToolCall[]
}

export interface EmbedResultJson {
  model: string
  dims: number
  embeddings: number[][]
}

export interface ExperienceSummary {
  cid: string
  text: string
  domain: string
  tags: string[]
  confidence: number
  status: string
  /** Similarity to the search query (search only). */
  score?: number
}

export interface OutcomeQuery {
  task: string
  family?: string
  tags?: string[]
  limit?: number
}

export interface OutcomeSummary {
  cid: string
  family: string
  task: string
  tags: string[]
  benchmark: string
  method: string
  baseline: number
  score: number
  delta: number
  nEval: number
  confidence: number
  params: Record<string, string | number | boolean>
  author: string
  /** Exact fingerprint match (true) or a near (LSH) neighbour (false). */
  exact?: boolean
}

export interface Recommendation {
  task: string
  family: string | null
  /** Synthesised parameters (weighted median / weighted vote). */
  params: Record<string, string | number | boolean>
  /** Expected delta over the baseline, when known. */
  expectedDelta: number | null
  confidence: number
  /** The outcomes that support it, strongest first. */
  evidence: Array<{ cid: string, weight: number, delta: number, author: string }>
  /** What the network part reached: peers asked, peers unreachable, time limit hit, or why it was skipped. */
  network?: { peers?: number, asked: number, unreachable: string[], timedOut: boolean, skipped?: string }
}

export interface QuarantineItem extends ArtifactSummary {
  /** Screen results so far, e.g. ["finite: ok", "norm: 12.1 <= 40"]. */
  checks: string[]
}

export interface SyncReport {
  peers: number
  received: number
  sent: number
  errors: string[]
  durationMs: number
}

export type NodeEventType = 'peer' | 'sync' | 'admission' | 'route' | 'library'

export interface NodeEvent {
  type: NodeEventType
  /** Unix ms. */
  time: number
  /** One readable line for the activity feed. */
  message: string
  data?: Record<string, unknown>
}

export interface NodeServices {
  status(options?: CallOptions): Promise<NodeStatus>
  peers(options?: CallOptions): Promise<PeerInfo[]>
  library: {
    list(query?: LibraryQuery, options?: CallOptions): Promise<ArtifactSummary[]>
    show(cid: string, options?: CallOptions): Promise<ArtifactDetail>
    /** Adds one encoded signed artifact through the trust pipeline, as `baobab import` does. */
    add(bytes: Uint8Array, options?: CallOptions): Promise<AddResult>
    remove(cid: string, options?: CallOptions): Promise<void>
  }
  experts(options?: CallOptions): Promise<ExpertInfo[]>
  route(question: string, options?: CallOptions & { expert?: string }): Promise<RouteExplanation>
  ask(input: AskInput, options?: CallOptions): Promise<AskStream>
  embed(texts: string[], options?: CallOptions): Promise<EmbedResultJson>
  experiences: {
    list(query?: { domain?: string, limit?: number }, options?: CallOptions): Promise<ExperienceSummary[]>
    search(query: string, options?: CallOptions & { limit?: number }): Promise<ExperienceSummary[]>
  }
  outcomes: {
    query(query: OutcomeQuery, options?: CallOptions): Promise<OutcomeSummary[]>
    recommend(query: OutcomeQuery, options?: CallOptions): Promise<Recommendation>
  }
  trust: {
    quarantine(options?: CallOptions): Promise<QuarantineItem[]>
    approve(cid: string, options?: CallOptions & { reason?: string }): Promise<ArtifactSummary>
    reject(cid: string, options?: CallOptions & { reason?: string }): Promise<ArtifactSummary>
  }
  syncNow(options?: CallOptions): Promise<SyncReport>
  /** Live activity; returns the unsubscribe function. */
  subscribe(listener: (event: NodeEvent) => void): () => void
}
