/** Defaults shared by the runtimes. */

/** Longest prompt (all message contents together) accepted before any work is done. */
export const MAX_PROMPT_CHARS = 1_000_000
/** Output cap when the caller gives no `maxTokens`. */
export const DEFAULT_MAX_TOKENS = 256
export const DEFAULT_TEMPERATURE = 0.7

/** llama: contexts kept warm, one per adapter set. */
export const DEFAULT_POOL_SIZE = 4
/** llama: context window when the caller gives none (capped by the model's training context). */
export const DEFAULT_CONTEXT_SIZE = 4096
/** llama: models smaller than this run on one thread (thread sync costs more than it gains). */
export const SMALL_MODEL_BYTES = 64 * 1024 * 1024

/** openai: per-attempt timeout (until the headers arrive, then between stream chunks). */
export const DEFAULT_TIMEOUT_MS = 60_000
export const DEFAULT_MAX_RETRIES = 2
export const DEFAULT_RETRY_BASE_MS = 250
export const MAX_RETRY_DELAY_MS = 10_000
