/** Named errors for runtimes. Callers test `err.name`, never the message. */
import { BaobabError } from '../errors/index.ts'

export class RuntimeError extends BaobabError {}

/** The caller's messages or options cannot be turned into a prompt (bad input: exit code 2). */
export class InvalidPromptError extends RuntimeError {
  static override readonly category = 'bad-input'
  readonly reason: string
  constructor (reason: string) {
    super(`invalid prompt: ${reason}`)
    this.reason = reason
  }
}

/** The request asks for something this runtime cannot do (bad input for it, e.g. JSON from retrieval). */
export class UnsupportedRequestError extends RuntimeError {
  static override readonly category = 'bad-input'
  readonly feature: string
  readonly param: string
  constructor (runtime: string, feature: string, param: string, hint: string) {
    super(`the ${runtime} runtime cannot ${feature}; ${hint}`)
    this.feature = feature
    this.param = param
  }
}

/** A runtime was built with settings that cannot work (bad input). */
export class InvalidRuntimeConfigError extends RuntimeError {
  static override readonly category = 'bad-input'
  readonly field: string
  readonly value: unknown
  constructor (field: string, value: unknown, expected: string, options?: ErrorOptions) {
    super(`runtime setting "${field}" must be ${expected} (got ${JSON.stringify(value)})`, options)
    this.field = field
    this.value = value
  }
}

export class UnknownRuntimeError extends RuntimeError {
  static override readonly category = 'bad-input'
  readonly kind: unknown
  constructor (kind: unknown) {
    super(`unknown runtime kind ${JSON.stringify(kind)} (expected retrieval, llama or openai)`)
    this.kind = kind
  }
}

export class RuntimeClosedError extends RuntimeError {
  readonly provider: string
  constructor (provider: string) {
    super(`the ${provider} runtime is closed`)
    this.provider = provider
  }
}

/** The base model file does not exist (not found: exit code 3). */
export class ModelFileNotFoundError extends RuntimeError {
  static override readonly category = 'not-found'
  readonly path: string
  constructor (path: string, options?: ErrorOptions) {
    super(`model file not found: ${path}`, options)
    this.path = path
  }
}

/** The base model file exists but llama.cpp could not load it (not a GGUF, truncated, ...). */
export class ModelLoadError extends RuntimeError {
  readonly path: string
  constructor (path: string, options?: ErrorOptions) {
    super(`could not load model ${path}: ${describeCause(options?.cause)}`, options)
    this.path = path
  }
}

/** No prebuilt llama.cpp binary loads here for the asked GPU setting (the native part is missing). */
export class LlamaBinaryUnavailableError extends RuntimeError {
  readonly gpu: string | false
  constructor (gpu: string | false, platform: string, options?: ErrorOptions) {
    const which = gpu === false ? 'CPU' : gpu === 'auto' ? 'any' : gpu
    const hint = gpu === 'cuda' || gpu === 'vulkan'
      ? 'CUDA and Vulkan binaries are left out of the default install: see docs/platforms.md, or set "runtime.gpu" to "auto"'
      : 'reinstall with npm ci on this machine (prebuilt binaries come as optional dependencies; do not omit them), or use "runtime": {"kind": "openai"}'
    super(`no ${which} llama.cpp binary for ${platform} loads here: ${describeCause(options?.cause)}. ${hint}`, options)
    this.gpu = gpu
  }
}

export class AdapterFileNotFoundError extends RuntimeError {
  static override readonly category = 'not-found'
  readonly path: string
  constructor (path: string, options?: ErrorOptions) {
    super(`LoRA adapter file not found: ${path}`, options)
    this.path = path
  }
}

/** The file is not a GGUF LoRA adapter (`general.type` must be `adapter`, `adapter.type` `lora`). */
export class NotALoraAdapterError extends RuntimeError {
  static override readonly category = 'bad-input'
  readonly path: string
  readonly detail: string
  constructor (path: string, detail: string, options?: ErrorOptions) {
    super(`${path} is not a GGUF LoRA adapter: ${detail}`, options)
    this.path = path
    this.detail = detail
  }
}

/** The LoRA adapter was made for another base model (architecture or tensor shapes differ). */
export class AdapterBaseMismatchError extends RuntimeError {
  static override readonly category = 'bad-input'
  readonly path: string
  readonly tensor?: string
  readonly expected: string
  readonly actual: string
  constructor (path: string, what: { tensor?: string, expected: string, actual: string }) {
    const where = what.tensor != null ? ` (tensor ${what.tensor})` : ''
    super(`LoRA adapter ${path} does not fit the loaded base model${where}: expected ${what.expected}, found ${what.actual}`)
    this.path = path
    if (what.tensor != null) this.tensor = what.tensor
    this.expected = what.expected
    this.actual = what.actual
  }
}

/**
 * A prompt longer than the model's context (in tokens), or than what this node accepts from a
 * caller (in characters; the HTTP API and MCP check it before routing). `message` is for a caller
 * that words its own limit.
 */
export class PromptTooLongError extends RuntimeError {
  static override readonly category = 'bad-input'
  readonly length: number
  readonly limit: number
  readonly unit: 'tokens' | 'characters'
  constructor (length: number, limit: number, unit: 'tokens' | 'characters' = 'tokens', message?: string) {
    super(message ?? (unit === 'tokens'
      ? `prompt has ${length} tokens but the context holds ${limit}`
      : `the prompt has ${length} characters; this node accepts at most ${limit}`))
    this.length = length
    this.limit = limit
    this.unit = unit
  }
}

/** An OpenAI-compatible server answered with an error status (after any retries). */
export class RuntimeHttpError extends RuntimeError {
  static override readonly category = 'upstream'
  readonly status: number
  readonly url: string
  readonly body: string
  readonly attempts: number
  constructor (what: { status: number, url: string, body: string, attempts: number }) {
    super(`${what.url} answered HTTP ${what.status} after ${what.attempts} attempt(s): ${what.body.slice(0, 300)}`)
    this.status = what.status
    this.url = what.url
    this.body = what.body
    this.attempts = what.attempts
  }
}

/** The server could not be reached at all (connection refused, reset, DNS). */
export class RuntimeConnectionError extends RuntimeError {
  static override readonly category = 'upstream'
  readonly url: string
  readonly attempts: number
  constructor (url: string, attempts: number, options?: ErrorOptions) {
    super(`could not reach ${url} after ${attempts} attempt(s): ${describeCause(options?.cause)}`, options)
    this.url = url
    this.attempts = attempts
  }
}

export class RuntimeTimeoutError extends RuntimeError {
  static override readonly category = 'upstream'
  readonly url: string
  readonly timeoutMs: number
  constructor (url: string, timeoutMs: number) {
    super(`${url} did not answer within ${timeoutMs} ms`)
    this.url = url
    this.timeoutMs = timeoutMs
  }
}

/** The server answered 2xx but with something that is not the OpenAI protocol. */
export class RuntimeProtocolError extends RuntimeError {
  static override readonly category = 'upstream'
  readonly url: string
  readonly detail: string
  constructor (url: string, detail: string, options?: ErrorOptions) {
    super(`${url} broke the OpenAI protocol: ${detail}`, options)
    this.url = url
    this.detail = detail
  }
}

function describeCause (cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : ''
    return cause.message + inner
  }
  return String(cause)
}
