/**
 * Per-topic limits at the gossip door. Wraps the topic validator already installed (the mesh's
 * announcement check) so that, per propagation source, before any decoding:
 * - deny-listed peers are rejected;
 * - messages over the topic's size limit are rejected (and cost the sender);
 * - more than the per-peer announcement rate is ignored (a flood never reaches the fetcher);
 * and a message the inner validator rejects costs the sender a violation too. Gossipsub's own
 * P4 penalty applies to every `Reject`, so floods of invalid messages graylist the sender.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { TopicLimits } from './gossip-score.ts'
import type { RateLimiter } from './rate-limiter.ts'
import type { Reputation } from './reputation.ts'
import type { Message, TopicValidatorFn } from '@libp2p/gossipsub'

export interface ValidatorHost {
  topicValidators: Map<string, TopicValidatorFn>
}

export interface GossipGuardStats {
  accepted: number
  rejected: number
  ignored: number
}

export interface GossipGuard {
  stats(): GossipGuardStats
  /** Restores the inner validator. */
  remove(): void
}

export function guardTopic (pubsub: ValidatorHost, topic: string, parts: { limiter: RateLimiter, reputation: Reputation }, limits: TopicLimits): GossipGuard {
  const inner = pubsub.topicValidators.get(topic)
  const stats: GossipGuardStats = { accepted: 0, rejected: 0, ignored: 0 }
  const count = (r: TopicValidatorResult): TopicValidatorResult => {
    if (r === TopicValidatorResult.Accept) stats.accepted++
    else if (r === TopicValidatorResult.Reject) stats.rejected++
    else stats.ignored++
    return r
  }
  const guarded: TopicValidatorFn = async (peer, msg: Message) => {
    const p = peer.toString()
    if (parts.reputation.listOf(p) === 'deny') return count(TopicValidatorResult.Reject)
    if (msg.data.length > limits.maxMessageBytes) {
      parts.reputation.record(p, 'violations')
      return count(TopicValidatorResult.Reject)
    }
    if (!parts.limiter.tryTake(p, 'announce')) return count(TopicValidatorResult.Ignore)
    const r = inner != null ? await inner(peer, msg) : TopicValidatorResult.Accept
    if (r === TopicValidatorResult.Reject) parts.reputation.record(p, 'violations')
    return count(r)
  }
  pubsub.topicValidators.set(topic, guarded)
  return {
    stats: () => ({ ...stats }),
    remove: () => {
      if (pubsub.topicValidators.get(topic) !== guarded) return
      if (inner != null) pubsub.topicValidators.set(topic, inner)
      else pubsub.topicValidators.delete(topic)
    }
  }
}
