/**
 * The gossip parameters the real mesh runs with: `src/mesh` configures @libp2p/gossipsub with
 * its defaults for mesh degree and gossip (D = 6, Dlo = 4, Dhi = 12, Dlazy = 6, gossip factor
 * 0.25, heartbeat 1 s, gossip history 3 heartbeats) and turns on flood publishing.
 */
export const GOSSIP = {
  D: 6,
  Dlo: 4,
  Dhi: 12,
  Dlazy: 6,
  gossipFactor: 0.25,
  heartbeatMs: 1000,
  historyGossip: 3,
  floodPublish: true,
  /** Connections each node keeps (src/mesh caps connections; a LAN node knows many peers). */
  connections: 16
} as const
