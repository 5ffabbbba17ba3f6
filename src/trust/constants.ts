/** Defaults and limits of the trust pipeline. Each value is a deliberate choice; see docs/trust.md. */

/** Artifacts dated further ahead of the local clock than this are refused (replay with a forged clock). */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000

// ── adapter screens ────────────────────────────────────────────────────────────────────────────
/**
 * Bounds on one target's ΔW = (α/r)·B·A when no trusted adapter of the same base exists yet.
 * Real LoRA adapters measured here: spectral ≤ 13, Frobenius ≤ 15 (GPT-2, Qwen 0.5B, TinyLlama);
 * the synthetic test LoRAs for the tiny random model reach spectral 63, Frobenius 82.
 */
export const DEFAULT_MAX_SPECTRAL = 100
export const DEFAULT_MAX_FROBENIUS = 400
/** With ≥ this many trusted adapters of a base, bounds are learned from them. */
export const MIN_LEARNED_SAMPLES = 3
/** Learned bound = this factor × the median over trusted adapters of their largest per-layer norm. */
export const LEARNED_NORM_FACTOR = 10
/** Largest rank accepted for an adapter (per target). */
export const MAX_ADAPTER_RANK = 512
/** Largest adapter weight file reassembled for screening. */
export const MAX_ADAPTER_BYTES = 4 * 1024 ** 3

// ── experience screens ─────────────────────────────────────────────────────────────────────────
export const MIN_EXPERIENCE_WORDS = 3
/** Share of characters that must be letters or spaces (junk and encoded payloads fail). */
export const MIN_LETTER_SHARE = 0.6
/** A single word may make up at most this share of the words ("buy buy buy …" fails). */
export const MAX_WORD_SHARE = 0.4
/** Near-duplicate: sketches of the same embedder differing in at most this share of bits. */
export const NEAR_DUPLICATE_BITS = 0.03

// ── outcome screens ────────────────────────────────────────────────────────────────────────────
/** On a 0..1 metric no fine-tune is credited with more than this improvement. */
export const MAX_BOUNDED_DELTA = 0.5
/** Claimed confidence may exceed what nEval supports by at most this much. */
export const CONFIDENCE_SLACK = 0.15
/** With ≥ this many trusted reports for the same family/task/benchmark, a claim far above them waits for reproduction. */
export const MIN_PEER_REPORTS = 3
/** "Far above": delta > median + max(this, 4·MAD). */
export const OUTLIER_MARGIN = 0.15
/** Upper edge of each training-data bucket (xs < 100, s < 1k, m < 10k, l < 100k examples). */
export const DATA_SCALE_MAX: Record<string, number> = { xs: 100, s: 1000, m: 10_000, l: 100_000, xl: Infinity }

// ── votes and reputation ───────────────────────────────────────────────────────────────────────
/** Share of reputation-weighted votes needed to act on peers' votes (DESIGN: 2/3). */
export const VOTE_THRESHOLD = 2 / 3
/** Total weight needed before peers' votes decide anything (about one well-known peer). */
export const MIN_VOTE_WEIGHT = 1
/** A peer needs this many judged events before its votes carry full weight. */
export const REPUTATION_EVIDENCE = 4
/** Weight of a bad event (rejected artifact, disagreeing vote) relative to a good one. */
export const BAD_EVENT_WEIGHT = 3

// ── canary ─────────────────────────────────────────────────────────────────────────────────────
/** Unrelated probe prompts: an adapter for any domain should leave these mostly alone. */
export const CANARY_PROBES = [
  'The capital of France is',
  'Once upon a time, in a small village,',
  'To boil an egg, first',
  'The sum of two and three is',
  'Water freezes at a temperature of',
  'My favourite season of the year is'
] as const
/** Greedy continuation steps per probe (repetition check). */
export const CANARY_STEPS = 3
/** Reject when mean KL(base‖adapter) over probes exceeds this multiple of the base's own cross-probe KL… */
export const CANARY_KL_RELATIVE = 3
/** …or this many nats, whichever is smaller. */
export const CANARY_KL_ABSOLUTE = 8
/** Reject when the adapter's cross-probe divergence falls below this share of the base's (output ignores the prompt). */
export const CANARY_MIN_DIVERSITY = 0.25
/** Reject when greedy continuations repeat the previous token this often… */
export const CANARY_MAX_REPEAT = 0.6
/** …and that is this much more often than the base model does. */
export const CANARY_REPEAT_MARGIN = 0.3

// ── rate limits (per peer) ─────────────────────────────────────────────────────────────────────
export interface BucketSpec {
  /** Tokens per second. */
  rate: number
  /** Bucket size (burst). */
  burst: number
}

/**
 * The limits this layer enforces. Fetch and sync are bounded by the mesh itself (concurrent
 * requests per peer, streams per connection), DHT writes by kad-dht's own record checks.
 */
export const RATE_ACTIONS = ['announce', 'admit'] as const
export type RateAction = (typeof RATE_ACTIONS)[number]

export const DEFAULT_RATE_LIMITS: Record<RateAction, BucketSpec> = {
  /** gossip announcements: a busy honest peer publishes a few per second */
  announce: { rate: 5, burst: 50 },
  /** artifacts admitted from one source peer */
  admit: { rate: 20, burst: 500 }
}
/** Peers whose buckets are tracked at once; idle full buckets are dropped first. */
export const MAX_TRACKED_PEERS = 4096

/** Refusals kept in `trust_refusals` (oldest dropped). */
export const MAX_REFUSAL_LOG = 10_000
