/** Protocol ids, limits and defaults of the mesh. */

export const SYNC_PROTOCOL = '/baobab/sync/1'
export const FETCH_PROTOCOL = '/baobab/fetch/2'

export function announceTopic (network: string): string {
  return `/baobab/${network}/announce/1`
}

/** Connections to loopback peers are exempt from inbound rate limits (many nodes on one host). */
export const LOOPBACK_ALLOW = ['/ip4/127.0.0.0/ipcidr/8']

export const DEFAULT_MAX_CONNECTIONS = 64

/** Largest sync frame either side sends or accepts. */
export const SYNC_FRAME_LIMIT = 60_000
/** A reconciliation that has not converged after this many round trips is abandoned. */
export const SYNC_MAX_ROUNDS = 32
export const SYNC_TIMEOUT_MS = 30_000
/** Minimum time between two automatic syncs with the same peer. */
export const SYNC_MIN_INTERVAL_MS = 5_000
export const DEFAULT_SYNC_INTERVAL_MS = 60_000

/**
 * Bytes per `send()` when streaming a chunk: four full Noise messages (65,519 bytes of payload
 * each) less the 12-byte Yamux frame header, so no frame ends in a small extra Noise message.
 */
export const WRITE_SIZE = 4 * 65_519 - 12
/** A fetch request frame is small: a CID and an offset. */
export const FETCH_REQUEST_LIMIT = 256
export const FETCH_HEADER_LIMIT = 256
/** Fetch streams one peer may have open at once (the serving side's concurrency cap). */
export const DEFAULT_SERVE_CONCURRENCY = 8
/** Chunk requests outstanding at once on one peer's fetch stream (its pipeline window). */
export const DEFAULT_PEER_CONCURRENCY = 4
export const FETCH_TIMEOUT_MS = 60_000
/** After this many bad chunks a peer is no longer asked during one fetch. */
export const MAX_BAD_CHUNKS_PER_PEER = 1

export const ANNOUNCE_LIMIT = 1024
export const ANNOUNCE_MAX_ADDRS = 4
/** Announcements older or newer than this (by their own clock) are ignored. */
export const ANNOUNCE_MAX_SKEW_MS = 10 * 60_000
