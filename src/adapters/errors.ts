/**
 * Named errors for adapter files and adapter math. Callers test `err.name`.
 * Every error caused by a file, a flag or a peer's data is one of these; `cause` is kept.
 */
import { BaobabError } from '../errors/index.ts'

/** Base class: something about an adapter file or an adapter-math request is wrong. */
export class AdapterError extends BaobabError {}

/** The safetensors file ends before its header or data says it should. */
export class SafetensorsTruncatedError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly path: string | undefined
  readonly expectedBytes: number
  readonly actualBytes: number
  constructor (path: string | undefined, expectedBytes: number, actualBytes: number) {
    super(`safetensors ${path ?? '(buffer)'} is truncated: needs ${expectedBytes} bytes, has ${actualBytes}`)
    this.path = path
    this.expectedBytes = expectedBytes
    this.actualBytes = actualBytes
  }
}

/** The safetensors JSON header is not valid (bad length, bad JSON, bad entry). */
export class SafetensorsHeaderError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly path: string | undefined
  readonly tensor: string | undefined
  constructor (path: string | undefined, detail: string, tensor?: string, options?: ErrorOptions) {
    super(`safetensors ${path ?? '(buffer)'} has a bad header${tensor != null ? ` (tensor ${tensor})` : ''}: ${detail}`, options)
    this.path = path
    this.tensor = tensor
  }
}

/** A tensor's data offsets point outside the data section, overlap, or leave gaps. */
export class TensorOffsetError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly path: string | undefined
  readonly tensor: string
  readonly offsets: [number, number]
  readonly dataBytes: number
  constructor (path: string | undefined, tensor: string, offsets: [number, number], dataBytes: number, detail: string) {
    super(`tensor ${tensor} in ${path ?? '(buffer)'}: data_offsets [${offsets[0]}, ${offsets[1]}] ${detail} (data section is ${dataBytes} bytes)`)
    this.path = path
    this.tensor = tensor
    this.offsets = offsets
    this.dataBytes = dataBytes
  }
}

/** A tensor's byte size does not equal dtype size × number of elements. */
export class DtypeSizeMismatchError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly tensor: string
  readonly dtype: string
  readonly expectedBytes: number
  readonly actualBytes: number
  constructor (tensor: string, dtype: string, expectedBytes: number, actualBytes: number) {
    super(`tensor ${tensor}: ${dtype} × shape needs ${expectedBytes} bytes but its offsets span ${actualBytes}`)
    this.tensor = tensor
    this.dtype = dtype
    this.expectedBytes = expectedBytes
    this.actualBytes = actualBytes
  }
}

/** A tensor uses a dtype this reader does not convert (only F32, F16, BF16; GGUF: F32, F16). */
export class UnsupportedDtypeError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly tensor: string
  readonly dtype: string
  constructor (tensor: string, dtype: string) {
    super(`tensor ${tensor} has unsupported dtype ${dtype}`)
    this.tensor = tensor
    this.dtype = dtype
  }
}

/** A tensor holds NaN or ±Infinity. */
export class NonFiniteValueError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly tensor: string
  readonly index: number
  readonly value: number
  constructor (tensor: string, index: number, value: number) {
    super(`tensor ${tensor} holds a non-finite value (${value}) at element ${index}`)
    this.tensor = tensor
    this.index = index
    this.value = value
  }
}

/** adapter_config.json is missing fields, has wrong types, or asks for an unsupported variant. */
export class AdapterConfigError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly path: string | undefined
  readonly field: string | undefined
  constructor (path: string | undefined, detail: string, field?: string, options?: ErrorOptions) {
    super(`adapter config ${path ?? '(object)'}: ${detail}`, options)
    this.path = path
    this.field = field
  }
}

/** A file or directory the caller named does not exist or is not an adapter. */
export class AdapterNotFoundError extends AdapterError {
  static override readonly category = 'not-found'
  readonly path: string
  constructor (path: string, detail: string, options?: ErrorOptions) {
    super(`${path}: ${detail}`, options)
    this.path = path
  }
}

/** lora_A / lora_B tensors do not pair up (one missing, ranks differ, not 2-D). */
export class LoraPairError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly target: string
  constructor (target: string, detail: string) {
    super(`LoRA target ${target}: ${detail}`)
    this.target = target
  }
}

/** The GGUF file is unreadable, not a LoRA adapter, or its tensors lie about their data. */
export class GgufFormatError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly path: string | undefined
  constructor (path: string | undefined, detail: string, options?: ErrorOptions) {
    super(`GGUF ${path ?? '(buffer)'}: ${detail}`, options)
    this.path = path
  }
}

/** No tensor-name mapping exists for this architecture. */
export class UnsupportedArchitectureError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly arch: string
  constructor (arch: string, supported: readonly string[]) {
    super(`architecture ${JSON.stringify(arch)} is not supported (supported: ${supported.join(', ')})`)
    this.arch = arch
  }
}

/** A LoRA target module has no counterpart in the GGUF architecture (e.g. lm_head). */
export class UnsupportedTargetError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly target: string
  readonly arch: string
  constructor (target: string, arch: string) {
    super(`LoRA target ${target} has no GGUF tensor in architecture ${arch}`)
    this.target = target
    this.arch = arch
  }
}

/** Conversion needs a fact about the base model (e.g. attention head counts) that is not known. */
export class ArchitectureInfoError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly arch: string
  readonly missing: string
  constructor (arch: string, missing: string, detail: string) {
    super(`${arch}: ${missing} unknown: ${detail}`)
    this.arch = arch
    this.missing = missing
  }
}

/** Adapters (or a target within them) do not have the shapes an operation needs. */
export class ShapeMismatchError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly target: string
  readonly expected: string
  readonly actual: string
  constructor (target: string, expected: string, actual: string) {
    super(`target ${target}: expected shape ${expected}, got ${actual}`)
    this.target = target
    this.expected = expected
    this.actual = actual
  }
}

/** Adapters were trained on different base models (or different tensor frames). */
export class BaseModelMismatchError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly bases: string[]
  constructor (bases: string[], detail: string) {
    super(`adapters do not share a base: ${detail} (${bases.join(' vs ')})`)
    this.bases = bases
  }
}

/** An option value is out of range (rank, weights, drop rate, ...). */
export class InvalidOptionError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly option: string
  readonly value: unknown
  constructor (option: string, value: unknown, detail: string) {
    super(`option ${option}=${JSON.stringify(value)}: ${detail}`)
    this.option = option
    this.value = value
  }
}

/** A BitDelta container is malformed or truncated. */
export class BitDeltaFormatError extends AdapterError {
  static override readonly category = 'bad-input'
  readonly path: string | undefined
  constructor (path: string | undefined, detail: string, options?: ErrorOptions) {
    super(`BitDelta ${path ?? '(buffer)'}: ${detail}`, options)
    this.path = path
  }
}
