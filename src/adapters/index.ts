/**
 * Adapter math: read and write PEFT (safetensors) and GGUF LoRA adapters, convert between their
 * frames, merge in ΔW space (linear, TIES, DARE; factor-wise for comparison), report whether to
 * merge or route, compress factors to 1 bit (BitDelta), and aggregate versions robustly.
 * Pure math plus file readers/writers; no network, no model.
 *
 * @example
 * ```ts
 * import { loadAdapterFile, compareAdapters, mergeAdapters, writePeftDir } from './adapters/index.ts'
 * const a = await loadAdapterFile('adapters/timeseries-r6')
 * const b = await loadAdapterFile('adapters/timeseries-r12')
 * const report = compareAdapters([a, b])          // report.verdict: 'merge' | 'route'
 * if (report.verdict === 'merge') {
 *   const { adapter } = mergeAdapters([a, b], { method: 'linear', rank: 12 })
 *   await writePeftDir(adapter, 'out/merged')
 * }
 * ```
 */
export type { AdapterFrame, AdapterOpOptions, AdapterProgress, ExtraTensor, GgufKv, LoraAdapter, LoraTarget, Mat, Mat64 } from './types.ts'
export {
  AdapterError, AdapterConfigError, AdapterNotFoundError, ArchitectureInfoError, BaseModelMismatchError,
  BitDeltaFormatError, DtypeSizeMismatchError, GgufFormatError, InvalidOptionError, LoraPairError,
  NonFiniteValueError, SafetensorsHeaderError, SafetensorsTruncatedError, ShapeMismatchError,
  TensorOffsetError, UnsupportedArchitectureError, UnsupportedDtypeError, UnsupportedTargetError
} from './errors.ts'
export type { FloatDtype, SafeTensor } from './safetensors.ts'
export { readPeftDir, writePeftDir } from './peft.ts'
export type { PeftConfig } from './peft.ts'
export { readGgufLora, writeGgufLora, encodeGgufLora } from './gguf-lora.ts'
export type { GgufLoraWriteOptions } from './gguf-lora.ts'
export { loadAdapterFile } from './load.ts'
export { TINY_MODEL, writeTinyLora } from './tiny-lora.ts'
export { convertToGguf, convertToHf } from './convert.ts'
export type { ArchOptions, SupportedArch } from './convert.ts'
export { targetFactored, normFactored, truncateFactored } from './factored.ts'
export type { Factored, TruncatedFactored } from './factored.ts'
export { randomizedSvd } from './rsvd.ts'
export type { RandomizedSvdOptions } from './rsvd.ts'
export { mergeAdapters, MERGE_METHODS } from './merge.ts'
export type { MergeMethod, MergeOptions, MergeResult, MergeTargetReport, Retention } from './merge.ts'
export { compareAdapters } from './compare.ts'
export type { CompareOptions, CompareReport, PairReport, MethodReport } from './compare.ts'
export type { OverlapFigures } from './overlap.ts'
export type { BitDeltaOptions, QuantisedTarget } from './bitdelta.ts'
export { compressAdapter, decodeBitDelta, writeBitDelta } from './bitdelta-format.ts'
export type { CompressResult } from './bitdelta-format.ts'
export { meanKl } from './kl.ts'
export { createPrng } from '../random/index.ts'
export { denseDelta } from './matrix.ts'
export { writeFileAtomic } from './atomic.ts'
