/** What the outcome service's publish, reproduce and recommend take and return. */
import type { NetworkReport } from './dht-publisher.ts'
import type { SettingExplanation } from './explain.ts'
import type { OutcomeProgress, QueryOptions, QueryResult } from './outcome-query.ts'
import type { OutcomeContext } from './fingerprint.ts'
import type { BuildOptions, DataScale } from './packet.ts'
import type { Verdict } from './reproduction.ts'
import type { Recommendation } from './synthesis.ts'

export interface PublishOptions extends BuildOptions {
  signal?: AbortSignal
  onProgress?: (event: OutcomeProgress) => void
  /** Store only; do not put to the DHT. */
  local?: boolean
  /** Time limit of the network part (default 5 s); the packet is stored first in any case. */
  networkMs?: number
}

export interface PublishResult {
  cid: string
  bytes: number
  keys: string[]
  warnings: string[]
  /** DHT outcome, absent when the network part was skipped. */
  dht?: { keys: number, stored: number, failed: number }
  /** What the network part reached (`skipped` says why it did not run). */
  network: NetworkReport
  /** Keys not on the DHT yet: the running node puts them when peers appear. */
  pending: number
}

export interface ReproduceResult extends PublishResult {
  target: string
  verdict: Verdict
}

export interface RecommendOptions extends QueryOptions {
  dataScale?: DataScale
}

export interface RecommendResult extends Recommendation {
  /** The method and each parameter with the packets behind it. */
  explained: SettingExplanation[]
  context: OutcomeContext
  query: Pick<QueryResult, 'keys' | 'rejected' | 'fetched' | 'network'>
}
