/** Defaults and limits for outcome packets, fingerprints and DHT records. */

/** Encoded size limit of an outcome packet (DESIGN.md artifact table). */
export const MAX_PACKET_BYTES = 512

/** Baobab's own kad-dht protocol, so Baobab nodes form their own DHT. */
export const BAOBAB_KAD_PROTOCOL = '/baobab/kad/1.0.0'

/**
 * Routing-table trie depth for Baobab's kad-dht (kad-dht's default is 6: at most 64 buckets). The
 * simulator (sim/dht, docs/outcomes.md) needs room for about 20,000–40,000 contacts for lookups at
 * 100,000 nodes to reach a replica: with k = 10, 10 bits (10,240 contacts) gave 80% there and 12
 * bits (40,960) 100%. A LAN-sized table stays far below either.
 */
export const DHT_PREFIX_LENGTH = 12

/**
 * Kademlia settings of Baobab's DHT: one source for the node (`outcomeKadDhtInit`) and the
 * simulator (sim/dht). kad-dht's own defaults are k = 20, α = 10 and 10 disjoint paths: a lookup
 * then asks up to 100 peers at once, which on a small network is every node, every time. Each
 * path ends when its own k closest have answered, so a lookup costs about k × paths requests:
 * k = 10 and 2 paths halve the work per lookup and per write against k = 20 and 3 paths, with
 * every simulated lookup still succeeding at 10,000 and 100,000 nodes (docs/results/sim.md).
 */
export const DHT_SETTINGS = {
  /** Contacts per bucket and replicas of a record (k). */
  kBucketSize: 10,
  /** Requests in flight per path (α). */
  alpha: 3,
  /** Independent paths of one lookup (S/Kademlia d); a value is found when one path reaches a holder. */
  disjointPaths: 2,
  prefixLength: DHT_PREFIX_LENGTH
} as const

/**
 * A DHT read stops once this many values in a row added no entry to what it had merged: replicas
 * merge every put (OutcomeRecordStore), so agreeing replicas hold the same record.
 */
export const DHT_READ_QUORUM = 3

/**
 * Time limits of one DHT request (kad-dht's `networkDialTimeout`, an adaptive timeout). kad-dht's
 * own are 5 s to 60 s, and every request that fails pushes the next limit up (twice its time), so
 * after a few lost requests a node waits for each request as long as its whole operation may run
 * (20 s) and one unanswered request holds a write's lookup to that limit. Here the limit keeps
 * kad-dht's 5 s floor (a loaded node answers slowly) and never grows past 10 s.
 */
export const DHT_REQUEST_TIMEOUT = { minTimeout: 5000, maxTimeout: 10_000 } as const

/**
 * A write returns once this many replicas acknowledged it (or when its lookup ends with fewer); the
 * puts to the other closest peers go on in the background, within the operation's time limit.
 */
export const DHT_PUT_REPLICAS = 3

/** DHT keys one command writes or reads at once: all of a packet's keys (its exact key and 10 band keys). */
export const DHT_KEY_CONCURRENCY = 11

/** First key segment of outcome records: `/baobab-outcome/<fingerprint hex>`. */
export const OUTCOME_NAMESPACE = 'baobab-outcome'

/** Bytes of a fingerprint (exact and band keys alike). */
export const FINGERPRINT_BYTES = 16

/** Record limits checked by the validator. */
export const MAX_RECORD_BYTES = 8 * 1024
export const MAX_RECORD_CIDS = 128
export const MAX_RECORD_ENTRIES = 64
/** An author lists at most this many packet CIDs per key (newest kept). */
export const MAX_ENTRY_CIDS = 32
export const RECORD_VERSION = 1
/** Entries dated further in the future than this are rejected (clock skew allowance). */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000

/** LSH: SimHash bits = bands × rows; each band is one DHT key. */
export const DEFAULT_LSH_BANDS = 10
export const DEFAULT_LSH_ROWS = 5
/** Version tag mixed into hyperplanes and band keys: changing the scheme changes every key. */
export const LSH_SCHEME = 'baobab-outcome-lsh/1'

/** Near matches below this cosine similarity (computed locally) are dropped. */
export const DEFAULT_MIN_SIMILARITY = 0.35
/** Most packets fetched from peers for one query. */
export const DEFAULT_MAX_FETCH = 64
/** Replicas drop an author's entry this long after it was signed (OutcomeRecordStore). */
export const RECORD_LIFETIME_MS = 36 * 60 * 60 * 1000
/** Authors put their entries again well within RECORD_LIFETIME_MS (kad-dht itself forgets a value 48 h after it arrived). */
export const DEFAULT_REPUBLISH_MS = 12 * 60 * 60 * 1000

/** Reproduction: a claim reproduces when the measured delta keeps at least this share of it. */
export const REPRODUCE_MIN_RATIO = 0.5
/** …or when it is within this absolute tolerance of the claim (small deltas). */
export const REPRODUCE_ABS_TOLERANCE = 0.005

/** Core params kept when shortening a packet (after normalisation of their names). */
export const CORE_PARAMS = ['r', 'alpha', 'lr', 'epochs', 'beta', 'dropout', 'batch_size', 'targets'] as const
/** Tags kept at least when shortening. */
export const MIN_TAGS = 1

/** Time limit of a command's network part (DHT reads and writes, packet fetches): it answers from the library after it. */
export const DEFAULT_NETWORK_MS = 5000
