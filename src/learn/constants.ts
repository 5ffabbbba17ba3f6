/** Defaults of the learning component (DESIGN.md "Learning"). */

/** Experience text limits (DESIGN.md artifact table). */
export const MAX_EXPERIENCE_WORDS = 40
export const MAX_EXPERIENCE_CHARS = 320
export const MAX_TAGS = 8
export const MAX_TAG_CHARS = 32
export const MAX_DOMAIN_CHARS = 64

/** Cosine above which two experiences are the same lesson and are merged. */
export const DEFAULT_DEDUP_THRESHOLD = 0.9

/** Sketch: sign bits of the embedding, or of a random-hyperplane projection when dims > MAX_DIRECT_SKETCH_DIMS. */
export const SKETCH_PROJECTED_BITS = 384
export const MAX_DIRECT_SKETCH_DIMS = 1024
export const MAX_SKETCH_EMBEDDER_CHARS = 64

/** Retrieval into prompts. */
export const DEFAULT_TOP_K = 5
export const DEFAULT_TOKEN_BUDGET = 256
/** Domain whose experiences apply to every domain. */
export const GENERAL_DOMAIN = 'general'

/** Learning loop. */
export const DEFAULT_GROUP_SIZE = 5
export const DEFAULT_EPOCHS = 3
export const DEFAULT_BATCH_SIZE = 4
export const MAX_OPS_PER_GROUP = 3
export const DEFAULT_ROLLOUT_TEMPERATURE = 0.7
export const DEFAULT_ROLLOUT_MAX_TOKENS = 256
export const DEFAULT_CRITIC_MAX_TOKENS = 512
export const DEFAULT_GRADER_TIMEOUT_MS = 5000
/** Groups whose rewards differ by less than this are uniform and skipped. */
export const UNIFORM_REWARD_EPSILON = 1e-9
