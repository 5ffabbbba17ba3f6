/**
 * The outcome packet builder: validates and normalises every QIS field, then signs a packet of at
 * most 512 bytes. When the packet is too big it drops optional content (non-core params first,
 * then trailing tags) and says so in `warnings`; it never cuts a string. If that is not enough, or
 * shortening is turned off, it throws OutcomePacketTooLargeError.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DATA_SCALES, createArtifact } from '../artifacts/index.ts'
import { CORE_PARAMS, MAX_PACKET_BYTES, MIN_TAGS } from './constants.ts'
import { DeltaMismatchError, InvalidOutcomeError, OutcomePacketTooLargeError } from './errors.ts'
import { normaliseFamily, normaliseMethod, normaliseParamKey, normaliseTags, normaliseText } from './normalise.ts'
import type { OutcomeBody, ParamValue, SignedArtifact } from '../artifacts/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export type DataScale = (typeof DATA_SCALES)[number]

/** What a caller (CLI, eval harness) hands the builder. */
export interface OutcomeInput {
  family: string
  task: string
  /** A list, or one comma-separated string. */
  tags: readonly string[] | string
  /** Training-data size bucket: xs < 100, s < 1k, m < 10k, l < 100k, xl ≥ 100k examples. */
  dataScale?: DataScale
  benchmark: string
  baseline: number
  score: number
  /** Optional; when given it must equal score − baseline. */
  delta?: number
  method: string
  /** Scalars only; an object or its JSON text. */
  params?: Record<string, unknown> | string
  heldOut?: boolean
  nEval: number
  confidence: number
}

export interface BuildOptions {
  /** Drop optional content to fit 512 bytes (default true); false → reject instead. */
  shorten?: boolean
  created?: number
}

export interface BuiltPacket {
  artifact: SignedArtifact<'outcome'>
  body: OutcomeBody
  bytes: number
  /** Everything the caller should know: dropped tags/params, unknown method, assumed defaults. */
  warnings: string[]
  dropped: string[]
}

const LIMITS = { family: 32, task: 64, benchmark: 32, method: 24, tag: 24, paramKey: 24, paramStr: 32, tags: 6, params: 8 }

function requireString (field: string, value: unknown, max: number, normalise: (s: string) => string): string {
  if (typeof value !== 'string') throw new InvalidOutcomeError(field, 'must be a string', value)
  const n = normalise(value)
  if (n === '') throw new InvalidOutcomeError(field, 'must not be empty')
  if (n.length > max) throw new InvalidOutcomeError(field, `must be at most ${max} characters after normalisation (${n.length})`, n)
  return n
}

function requireNumber (field: string, value: unknown, opts: { min?: number, max?: number, int?: boolean } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidOutcomeError(field, 'must be a finite number', value)
  if (opts.int === true && !Number.isSafeInteger(value)) throw new InvalidOutcomeError(field, 'must be an integer', value)
  if (opts.min != null && value < opts.min) throw new InvalidOutcomeError(field, `must be ≥ ${opts.min}`, value)
  if (opts.max != null && value > opts.max) throw new InvalidOutcomeError(field, `must be ≤ ${opts.max}`, value)
  return value
}

function parseTags (tags: unknown): string[] {
  const list = typeof tags === 'string' ? tags.split(',') : tags
  if (!Array.isArray(list)) throw new InvalidOutcomeError('tags', 'must be a list of strings', tags)
  list.forEach((t, i) => { if (typeof t !== 'string') throw new InvalidOutcomeError(`tags[${i}]`, 'must be a string', t) })
  const out = normaliseTags(list as string[])
  out.forEach((t, i) => { if (t.length > LIMITS.tag) throw new InvalidOutcomeError(`tags[${i}]`, `must be at most ${LIMITS.tag} characters`, t) })
  if (out.length === 0) throw new InvalidOutcomeError('tags', 'needs at least one tag')
  return out
}

/** Params in given order, keys normalised; throws on non-scalars and on keys given twice. */
function parseParams (params: unknown): Array<[string, ParamValue]> {
  let obj = params ?? {}
  if (typeof obj === 'string') {
    try {
      obj = JSON.parse(obj)
    } catch (err) {
      throw new InvalidOutcomeError('params', 'is not valid JSON', obj, { cause: err })
    }
  }
  if (obj == null || typeof obj !== 'object' || Array.isArray(obj)) throw new InvalidOutcomeError('params', 'must be an object of scalars', obj)
  const out: Array<[string, ParamValue]> = []
  const from = new Map<string, string>()
  for (const [rawKey, v] of Object.entries(obj)) {
    const key = normaliseParamKey(rawKey)
    if (key === '' || key.length > LIMITS.paramKey) throw new InvalidOutcomeError(`params.${rawKey}`, `key must be 1–${LIMITS.paramKey} characters`)
    const prev = from.get(key)
    if (prev != null) throw new InvalidOutcomeError(`params.${key}`, `is given twice ("${prev}" and "${rawKey}")`)
    from.set(key, rawKey)
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidOutcomeError(`params.${key}`, 'must be finite', v)
      out.push([key, v])
    } else if (typeof v === 'boolean') {
      out.push([key, v])
    } else if (typeof v === 'string') {
      const s = normaliseText(v)
      if (s.length > LIMITS.paramStr) throw new InvalidOutcomeError(`params.${key}`, `string values must be at most ${LIMITS.paramStr} characters`, v)
      out.push([key, s])
    } else if (Array.isArray(v) && v.every(x => typeof x === 'string')) {
      // list params (e.g. target modules) are joined: sorted so the same set gives the same bytes
      const s = [...v].map(x => normaliseText(x)).sort().join(',')
      if (s.length > LIMITS.paramStr) throw new InvalidOutcomeError(`params.${key}`, `joined list must be at most ${LIMITS.paramStr} characters`, v)
      out.push([key, s])
    } else {
      throw new InvalidOutcomeError(`params.${key}`, 'must be a string, number or boolean', v)
    }
  }
  return out
}

/** Validates and normalises everything except sizes; returns the full tag and param lists. */
export function normaliseOutcomeInput (input: OutcomeInput): { base: Omit<OutcomeBody, 'tags' | 'params'>, tags: string[], params: Array<[string, ParamValue]>, warnings: string[] } {
  if (input == null || typeof input !== 'object') throw new InvalidOutcomeError('input', 'must be an object', input)
  const warnings: string[] = []
  const family = requireString('family', input.family, LIMITS.family, normaliseFamily)
  const task = requireString('task', input.task, LIMITS.task, normaliseText)
  const benchmark = requireString('benchmark', input.benchmark, LIMITS.benchmark, normaliseText)
  if (typeof input.method !== 'string') throw new InvalidOutcomeError('method', 'must be a string', input.method)
  const m = normaliseMethod(input.method)
  if (m.method === '' || m.method.length > LIMITS.method) throw new InvalidOutcomeError('method', `must be 1–${LIMITS.method} characters after normalisation`, m.method)
  if (!m.known) warnings.push(`unknown method "${input.method}" kept as "${m.method}"`)
  else if (m.method !== input.method) warnings.push(`method "${input.method}" normalised to "${m.method}"`)
  const baseline = requireNumber('baseline', input.baseline)
  const score = requireNumber('score', input.score)
  const delta = score - baseline
  if (input.delta !== undefined) {
    const given = requireNumber('delta', input.delta)
    if (Math.abs(given - delta) > 1e-9 * Math.max(1, Math.abs(score), Math.abs(baseline))) throw new DeltaMismatchError(given, baseline, score)
  }
  const nEval = requireNumber('nEval', input.nEval, { min: 1, int: true })
  const confidence = requireNumber('confidence', input.confidence, { min: 0, max: 1 })
  let dataScale = input.dataScale
  if (dataScale === undefined) {
    dataScale = 'm'
    warnings.push('dataScale not given; assumed "m" (1k–10k examples)')
  } else if (!(DATA_SCALES as readonly string[]).includes(dataScale)) {
    throw new InvalidOutcomeError('dataScale', `must be one of ${DATA_SCALES.join(', ')}`, dataScale)
  }
  if (input.heldOut !== undefined && typeof input.heldOut !== 'boolean') throw new InvalidOutcomeError('heldOut', 'must be a boolean', input.heldOut)
  const heldOut = input.heldOut ?? true
  return {
    base: { family, task, dataScale, benchmark, baseline, score, delta, method: m.method, heldOut, nEval, confidence },
    tags: parseTags(input.tags),
    params: parseParams(input.params),
    warnings
  }
}

function assemble (base: Omit<OutcomeBody, 'tags' | 'params'>, tags: string[], params: Array<[string, ParamValue]>): OutcomeBody {
  return { ...base, tags: [...tags].sort(), params: Object.fromEntries(params) }
}

/** Builds and signs an outcome packet (≤ 512 bytes), shortening only by dropping whole items. */
export async function buildOutcomePacket (input: OutcomeInput, privateKey: PrivateKey, options: BuildOptions = {}): Promise<BuiltPacket> {
  const shorten = options.shorten ?? true
  const { base, tags: allTags, params: allParams, warnings } = normaliseOutcomeInput(input)
  const dropped: string[] = []
  let tags = allTags
  let params = allParams
  const isCore = (k: string): boolean => (CORE_PARAMS as readonly string[]).includes(k)

  // hard caps from the schema first: > 6 tags, > 8 params
  const capDrops: string[] = []
  if (tags.length > LIMITS.tags) {
    capDrops.push(...tags.slice(LIMITS.tags).map(t => `tag "${t}"`))
    tags = tags.slice(0, LIMITS.tags)
  }
  while (params.length > LIMITS.params) {
    const idx = lastIndex(params, ([k]) => !isCore(k))
    const i = idx >= 0 ? idx : params.length - 1
    capDrops.push(`param "${params[i]![0]}"`)
    params = params.filter((_, j) => j !== i)
  }
  if (capDrops.length > 0 && !shorten) {
    throw new OutcomePacketTooLargeError(0, MAX_PACKET_BYTES, capDrops, `A packet holds at most ${LIMITS.tags} tags and ${LIMITS.params} params; would drop ${capDrops.join(', ')}.`)
  }
  dropped.push(...capDrops)

  const author = peerIdFromPrivateKey(privateKey).toString()
  const created = options.created ?? Date.now()
  for (;;) {
    const body = assemble(base, tags, params)
    const size = envelopeSize(author, created, body)
    if (size <= MAX_PACKET_BYTES) {
      let artifact: SignedArtifact<'outcome'>
      try {
        artifact = await createArtifact('outcome', body, privateKey, { created })
      } catch (err) {
        throw new InvalidOutcomeError('packet', (err as Error).message, undefined, { cause: err })
      }
      if (dropped.length > 0) warnings.push(`dropped ${dropped.join(', ')} to fit ${MAX_PACKET_BYTES} bytes (the exact fingerprint uses the kept tags)`)
      return { artifact, body, bytes: artifact.bytes.length, warnings, dropped }
    }
    const pIdx = lastIndex(params, ([k]) => !isCore(k))
    let next: string | undefined
    if (pIdx >= 0) {
      next = `param "${params[pIdx]![0]}"`
      if (shorten) params = params.filter((_, j) => j !== pIdx)
    } else if (tags.length > MIN_TAGS) {
      next = `tag "${tags[tags.length - 1]!}"`
      if (shorten) tags = tags.slice(0, -1)
    }
    if (!shorten) {
      throw new OutcomePacketTooLargeError(size, MAX_PACKET_BYTES, next != null ? [next] : [], 'Shortening is off: remove optional params or tags, or shorten task/benchmark.')
    }
    if (next == null) {
      throw new OutcomePacketTooLargeError(size, MAX_PACKET_BYTES, dropped,
        `Even with ${dropped.length > 0 ? dropped.join(', ') + ' dropped' : 'nothing left to drop'} it does not fit: shorten the task, benchmark, tags or core params.`)
    }
    dropped.push(next)
  }
}

/** Encoded size of the signed envelope: an Ed25519 signature is always 64 bytes. */
export function envelopeSize (author: string, created: number, body: OutcomeBody): number {
  return dagCbor.encode({ v: 1, kind: 'outcome', author, created, body, sig: new Uint8Array(64) }).length
}

function lastIndex<T> (list: T[], pred: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (pred(list[i]!)) return i
  return -1
}
