export const ARTIFACT_VERSION = 1

export const KINDS = ['adapter', 'experience', 'outcome', 'vote', 'reproduction', 'revocation'] as const

/** Maximum encoded size per kind, in bytes (DESIGN.md artifact table). */
export const MAX_SIZE: Record<(typeof KINDS)[number], number> = {
  adapter: 64 * 1024,
  experience: 2 * 1024,
  outcome: 512,
  vote: 1024,
  reproduction: 512,
  revocation: 512
}

/** Largest input any decoder accepts before looking inside. */
export const MAX_ANY_SIZE = 64 * 1024

/** Adapter weights travel as chunks of this size, each addressed by its raw CID. */
export const CHUNK_SIZE = 1024 * 1024

export const DATA_SCALES = ['xs', 's', 'm', 'l', 'xl'] as const
