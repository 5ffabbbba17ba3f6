/**
 * Gossipsub peer-scoring parameters for Baobab's announcement topic, chosen for its traffic:
 * announcements are small (≤ 1 KiB), sparse (a few a minute) and bursty (a node that imports a
 * library announces many at once). Every value below is a decision, not a library default.
 *
 * - P1 time in mesh: +1 per 6 minutes, capped at +10 after an hour: long-lived peers are preferred
 *   for grafting but cannot bank immunity.
 * - P2 first deliveries: +0.5 each, capped at 20, half-life 10 minutes (sparse topic: credit must
 *   outlive the gaps between messages).
 * - P3/P3b mesh-delivery quota: off. On a sparse topic a quota punishes quiet honest peers.
 * - P4 invalid messages: −50 × count², half-life one hour: one forged or malformed announcement
 *   puts a peer under the publish threshold, two under the graylist.
 * - P5 application score: the trust reputation (agreement with local canaries and screens), see
 *   {@link Reputation.gossipScore}: deny-listed −1000, allow-listed +10, others in [−20, +20].
 * - P6 IP colocation: −5 × (peers on one IP − 10)², loopback exempt (tests, a host's own nodes).
 * - P7 behaviour (broken IWANT promises, early re-grafts): −10 × (count − 6)², half-life ≈ 70 s.
 * - topic score cap 20: topic credit can never outweigh a bad application score.
 * - thresholds: gossip −10, publish −50, graylist −80, accept PX only from peers over +10,
 *   opportunistic graft when the mesh median falls under +3.
 */
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score'

export interface GossipScoringInit {
  /** Topics to score, e.g. the mesh's `announceTopic(network)`. */
  topics: string[]
  /** P5: the application's opinion of a peer (use `Reputation.gossipScore`). */
  appScore?: (peer: string) => number
  /** IPs exempt from the colocation penalty (default: loopback). */
  ipWhitelist?: string[]
}

/** Limits per topic that the topic validator enforces (gossipsub has no per-topic size option). */
export interface TopicLimits {
  maxMessageBytes: number
  /** Messages per second per peer, and burst (the `announce` rate limit). */
  perPeerRate: number
  perPeerBurst: number
}

export interface GossipScoring {
  scoreParams: PeerScoreParams
  scoreThresholds: PeerScoreThresholds
  /** Only these topics are tracked for remote peers (others are ignored). */
  allowedTopics: string[]
  topicLimits: Record<string, TopicLimits>
}

const DECAY_INTERVAL_MS = 1000

/** Per-interval decay factor for a half-life in seconds. */
export function decayFor (halfLifeSeconds: number, intervalMs = DECAY_INTERVAL_MS): number {
  return Math.pow(0.5, intervalMs / 1000 / halfLifeSeconds)
}

export function announceTopicParams (): TopicScoreParams {
  return {
    topicWeight: 1,
    timeInMeshWeight: 1 / 360,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 3600,
    firstMessageDeliveriesWeight: 0.5,
    firstMessageDeliveriesDecay: decayFor(600),
    firstMessageDeliveriesCap: 20,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: decayFor(60),
    meshMessageDeliveriesCap: 10,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 60_000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: decayFor(60),
    invalidMessageDeliveriesWeight: -50,
    invalidMessageDeliveriesDecay: decayFor(3600)
  }
}

/** Score parameters and thresholds to pass to `gossipsub({ scoreParams, scoreThresholds, allowedTopics })`. */
export function gossipScoring (init: GossipScoringInit): GossipScoring {
  const topics: Record<string, TopicScoreParams> = {}
  const topicLimits: Record<string, TopicLimits> = {}
  for (const t of init.topics) {
    topics[t] = announceTopicParams()
    topicLimits[t] = { maxMessageBytes: 1024, perPeerRate: 5, perPeerBurst: 50 }
  }
  const appScore = init.appScore ?? (() => 0)
  const scoreParams: PeerScoreParams = {
    topics,
    topicScoreCap: 20,
    appSpecificScore: (peer: string) => {
      const s = appScore(peer)
      return Number.isFinite(s) ? s : -1000
    },
    appSpecificWeight: 1,
    IPColocationFactorWeight: -5,
    IPColocationFactorThreshold: 10,
    IPColocationFactorWhitelist: new Set(init.ipWhitelist ?? ['127.0.0.1', '::1']),
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: decayFor(70),
    decayInterval: DECAY_INTERVAL_MS,
    decayToZero: 0.01,
    retainScore: 3600_000
  }
  const scoreThresholds: PeerScoreThresholds = {
    gossipThreshold: -10,
    publishThreshold: -50,
    graylistThreshold: -80,
    acceptPXThreshold: 10,
    opportunisticGraftThreshold: 3
  }
  return { scoreParams, scoreThresholds, allowedTopics: [...init.topics], topicLimits }
}
