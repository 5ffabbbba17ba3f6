/** What the pipeline's parts share: resolved components and settings of one trust instance. */
import type { AdapterCanary, CanaryReport } from './canary.ts'
import type { LocalChecks } from './local-checks.ts'
import type { PolicyPreset } from './policy.ts'
import type { RateLimiter } from './rate-limiter.ts'
import type { Reputation } from './reputation.ts'
import type { LoraAdapter } from '../adapters/index.ts'
import type { BaseModel, ExperienceBody, OutcomeBody } from '../artifacts/index.ts'
import type { Library } from '../library/index.ts'
import type { Logger, PrivateKey } from '@libp2p/interface'
import type { DatabaseSync } from 'node:sqlite'

/** Optional local A/B check of an experience on a task set (learn). */
export type ExperienceCheck = (body: ExperienceBody, options: { signal?: AbortSignal }) => Promise<CanaryReport>

/** Optional local reproduction of an outcome claim; undefined when this node cannot run the task. */
export type OutcomeReproducer = (body: OutcomeBody, options: { signal?: AbortSignal }) => Promise<{ measuredDelta: number, nEval: number } | undefined>

export interface TrustContext {
  library: Library
  db: DatabaseSync
  /** This node's peer id. */
  self: string
  privateKey: PrivateKey
  reputation: Reputation
  limiter: RateLimiter
  preset: PolicyPreset
  canary: AdapterCanary | undefined
  experienceCheck: ExperienceCheck | undefined
  reproduceOutcome: OutcomeReproducer | undefined
  /** Which local checks this node can run, and why not where it cannot. */
  checks: LocalChecks
  loadAdapter: (path: string) => Promise<LoraAdapter>
  base: Partial<BaseModel> | undefined
  families: string[] | undefined
  /** Offer this node's own votes to peers. */
  shareVotes: boolean
  now: () => number
  /** Parent directory for temporary weight files. */
  workDir: string
  log: Logger
}

/** Vote weight of a peer; this node itself weighs 1. */
export function weightOf (ctx: TrustContext, peer: string): number {
  return peer === ctx.self ? 1 : ctx.reputation.weight(peer)
}
