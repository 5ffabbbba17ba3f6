/**
 * `createNode()`: the one place Baobab's components are wired. A node is one process: library,
 * mesh, trust, router, runtime, experiences and outcomes, started in dependency order and
 * stopped in reverse.
 *
 * @example
 * ```ts
 * const node = await createNode({ home: '/home/me/.baobab', config })
 * await node.start()
 * const a = await node.ask([{ role: 'user', content: 'My calf has diarrhoea, what first?' }])
 * console.log(a.expert?.name, a.result.text)
 * await node.stop()
 * ```
 */
import { prefixLogger } from '@libp2p/logger'
import { loadOrCreateIdentity } from '../artifacts/index.ts'
import { experienceSource } from '../learn/index.ts'
import { openLibrary } from '../library/index.ts'
import { announceTopic, createMesh, meshInitFromConfig } from '../mesh/index.ts'
import { answer, answerStream, prepareAnswer } from './answer.ts'
import { nodeChecks } from './checks.ts'
import { syncRouterExperts, trustedExperts } from './experts.ts'
import { trustFromConfig } from './trust.ts'
import { OutcomeRecordStore, createOutcomeService, outcomeKadDhtInit } from '../outcomes/index.ts'
import { Router } from '../router/index.ts'
import { createEmbedder, hashEmbedder } from '../embedding/index.ts'
import { createRuntime } from '../runtime/index.ts'
import type { Identity } from '../artifacts/index.ts'
import type { NodeConfig } from '../config.ts'
import type { ExperienceSource } from '../learn/index.ts'
import type { Library } from '../library/index.ts'
import type { GossipScoringOptions, Mesh, MeshInit } from '../mesh/index.ts'
import type { Answer, AnswerOptions, PreparedAnswer } from './answer.ts'
import type { ExpertRecord } from './experts.ts'
import type { OutcomeDhtService, OutcomeService } from '../outcomes/index.ts'
import type { GossipGuard, GossipGuardStats, Trust } from '../trust/index.ts'
import type { Embedder } from '../embedding/index.ts'
import type { ChatMessage, LlmRuntime, StreamPart } from '../runtime/index.ts'
import type { ComponentLogger } from '@libp2p/interface'

export interface NodeInit {
  home: string
  config: NodeConfig
  /** Run the mesh (default true). */
  mesh?: boolean
  /** Extra mesh options (intervals, test hooks). */
  meshInit?: Partial<MeshInit>
  /** Use this runtime instead of the configured one. */
  runtime?: LlmRuntime
  logger?: ComponentLogger
}

/** The components a node is made of (what `createNode` builds and wires). */
export type NodeParts = Pick<BaobabNode, 'home' | 'config' | 'identity' | 'library' | 'embedder' | 'router' | 'runtime' | 'experiences' | 'outcomes' | 'trust' | 'mesh' | 'logger'>

export class BaobabNode {
  // the parts, set once by the constructor
  declare readonly home: string
  declare readonly config: NodeConfig
  declare readonly identity: Identity
  declare readonly library: Library
  declare readonly embedder: Embedder
  declare readonly router: Router
  declare readonly runtime: LlmRuntime
  declare readonly experiences: ExperienceSource
  declare readonly outcomes: OutcomeService
  declare readonly trust: Trust
  declare readonly mesh: Mesh | null
  declare readonly logger: ComponentLogger
  readonly startedAt = Date.now()
  /** Per-topic limits (size, rate, deny list) in front of the mesh's announcement validator. */
  private gossipGuard: GossipGuard | undefined
  private starting: Promise<void> | undefined
  private stopping: Promise<void> | undefined

  constructor (parts: NodeParts) {
    Object.assign(this, parts)
  }

  get peerId (): string {
    return this.identity.peerId.toString()
  }

  /** What the per-topic gossip limits have let through and ignored (undefined before start or without a mesh). */
  gossipGuardStats (): GossipGuardStats | undefined {
    return this.gossipGuard?.stats()
  }

  async start (): Promise<void> {
    this.starting ??= this.startParts()
    await this.starting
  }

  private async startParts (): Promise<void> {
    await this.trust.recover()
    await this.refreshExperts()
    this.outcomes.start()
    const mesh = this.mesh
    if (mesh != null) {
      await mesh.start()
      this.gossipGuard = this.trust.guardGossip(mesh.libp2p.services.pubsub, announceTopic(this.config.network))
      const dht = mesh.libp2p.services.dht
      this.outcomes.attach({
        ...(dht != null ? { dht: dht as unknown as OutcomeDhtService } : {}),
        network: { peers: () => mesh.libp2p.getPeers().length, onPeer: listener => mesh.on('peer:connected', listener) },
        fetchPacket: async (cid, options) => {
          await mesh.fetch(cid, options.signal != null ? { signal: options.signal } : {})
          return this.library.get(cid)?.bytes
        }
      })
    }
  }

  /**
   * Stops in reverse dependency order: the outcome service and the trust layer's gossip guard
   * (they use the mesh), the mesh (its late network events are ignored from here on), the
   * runtime, then the library. Waits for a start in progress first; a second call waits for
   * the first.
   */
  async stop (): Promise<void> {
    this.stopping ??= this.stopParts()
    await this.stopping
  }

  private async stopParts (): Promise<void> {
    await this.starting?.catch(() => {})
    this.outcomes.stop()
    this.gossipGuard?.remove()
    this.gossipGuard = undefined
    try {
      await this.mesh?.stop()
      await this.runtime.close()
    } finally {
      this.library.close()
    }
  }

  /** Re-reads trusted adapters into the router (after admissions, approvals, revocations). */
  async refreshExperts (options: { signal?: AbortSignal } = {}): Promise<number> {
    return syncRouterExperts(this.library, this.router, options)
  }

  experts (): ExpertRecord[] {
    return trustedExperts(this.library)
  }

  /** Routes a question and gathers knowledge and experiences, without generating. */
  async prepare (messages: ChatMessage[], options: AnswerOptions = {}): Promise<PreparedAnswer> {
    await this.refreshExperts(options.signal != null ? { signal: options.signal } : {})
    return prepareAnswer(this.answerParts(), messages, options)
  }

  async ask (messages: ChatMessage[], options: AnswerOptions = {}): Promise<Answer> {
    await this.refreshExperts(options.signal != null ? { signal: options.signal } : {})
    return answer(this.answerParts(), messages, options)
  }

  async askStream (messages: ChatMessage[], options: AnswerOptions = {}): Promise<PreparedAnswer & { parts: ReadableStream<StreamPart> }> {
    await this.refreshExperts(options.signal != null ? { signal: options.signal } : {})
    return answerStream(this.answerParts(), messages, options)
  }

  private answerParts (): { library: Library, home: string, router: Router, runtime: LlmRuntime, experiences: ExperienceSource } {
    return { library: this.library, home: this.home, router: this.router, runtime: this.runtime, experiences: this.experiences }
  }
}

/** The trust layer's gossipsub scoring for this network's announcement topic. */
function gossipOptions (trust: Trust, network: string): GossipScoringOptions {
  const { scoreParams, scoreThresholds, allowedTopics } = trust.gossip([announceTopic(network)])
  return { scoreParams, scoreThresholds, allowedTopics }
}

export async function createNode (init: NodeInit): Promise<BaobabNode> {
  const { home, config } = init
  const logger = init.logger ?? prefixLogger('baobab')
  const identity = await loadOrCreateIdentity(home)
  const library = openLibrary({ home })
  try {
    const embedder = await createEmbedder(config.embedder)
    const router = new Router({ embedder, db: library.db })
    const runtime = init.runtime ?? createRuntime(config.runtime)
    const experiences = experienceSource(library, embedder, { self: identity.peerId.toString() })
    // the canary, experience A/B check and outcome reproduction this node can run (or why not)
    const checks = await nodeChecks(config, runtime)
    const trust = trustFromConfig({ library, identity, config }, checks)
    // read even without a mesh: a broken network key file is refused either way
    const meshInit = meshInitFromConfig(config, {
      dht: outcomeKadDhtInit({ lan: true }),
      datastore: new OutcomeRecordStore(),
      gossipScoring: gossipOptions(trust, config.network),
      ...init.meshInit
    })
    const mesh = init.mesh === false ? null : createMesh({ privateKey: identity.privateKey, library, logger, admission: trust.admission }, meshInit)
    const outcomes = createOutcomeService({
      library,
      privateKey: identity.privateKey,
      // near fingerprints must agree across nodes: the built-in embedder is used unfitted (the
      // router's copy learns idf from this library, which would change its id and its vectors)
      embedder: config.embedder.kind === 'builtin' ? hashEmbedder() : embedder,
      admission: trust.admission,
      ...(mesh != null ? { announce: async (a) => { await mesh.announce(a) } } : {})
    })
    return new BaobabNode({ home, config, identity, library, embedder, router, runtime, experiences, outcomes, trust, mesh, logger })
  } catch (err) {
    library.close()
    throw err
  }
}

export type { Answer, AnswerOptions, PreparedAnswer } from './answer.ts'
export { ExpertNotFoundError, InvalidQuestionError } from './answer.ts'
export type { ExpertRecord } from './experts.ts'
export { nodeChecks } from './checks.ts'
export { routeConversation } from './conversation-route.ts'
export { syncRouterExperts, trustedExperts } from './experts.ts'
export { trustFromConfig, trustWithChecks } from './trust.ts'
