/** CLI errors and the one mapping from error names to exit codes. */

export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export class ConfigError extends Error {
  readonly path: string
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(`config ${path}: ${reason}`, options)
    this.name = 'ConfigError'
    this.path = path
  }
}

export const EXIT_OK = 0
export const EXIT_INTERNAL = 1
export const EXIT_BAD_INPUT = 2
export const EXIT_NOT_FOUND = 3

const BAD_INPUT = /^(Usage|Config|Malformed|Unsupported|Unknown|Missing|Unexpected|Field|Oversize|NonCanonical|InvalidSignature|CidMismatch|InvalidKeyFile|InvalidQuery|SchemaTooNew|ChunkMismatch|Corrupt|StorageFull|Safetensors|TensorOffset|NonFinite|AdapterConfig|LoraPair|ArchitectureInfo|Dtype|Shape|BaseModel|GgufFormat|BitDelta|NotALora|PromptInjection|PromptTooLong|Exemplar)|(Invalid|Malformed|TooLarge|Refused|Rejected|Mismatch|Injection|Parse|Format|Input)\w*Error$/

/** bad input 2, not found 3, anything else 1. */
export function exitCodeFor (err: unknown): number {
  const name = (err as { name?: unknown })?.name
  if (typeof name !== 'string') return EXIT_INTERNAL
  if (/NotFound/.test(name)) return EXIT_NOT_FOUND
  if (BAD_INPUT.test(name)) return EXIT_BAD_INPUT
  if (name === 'CommanderError') return EXIT_BAD_INPUT
  return EXIT_INTERNAL
}
