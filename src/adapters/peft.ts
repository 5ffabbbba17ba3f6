/**
 * PEFT LoRA directories: `adapter_config.json` + `adapter_model.safetensors`.
 * Unknown config keys are kept and ignored; non-LoRA tensors (e.g. a reward `score` head) are
 * reported in `warnings` and carried in `extras`, never treated as A/B.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { firstNonFinite } from './dtype.ts'
import { AdapterConfigError, AdapterNotFoundError, LoraPairError, NonFiniteValueError } from './errors.ts'
import { encodeSafetensors, parseSafetensors } from './safetensors.ts'
import type { FloatDtype, SafeTensor } from './safetensors.ts'
import type { ExtraTensor, LoraAdapter, LoraTarget } from './types.ts'
import { writeFilesAtomic } from './atomic.ts'
import { naturalCompare } from './names.ts'

export const PEFT_CONFIG_FILE = 'adapter_config.json'
export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors'
const PREFIX = 'base_model.model.'
const LORA_KEY = /^(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[A-Za-z0-9_-]+)?\.weight$/

export interface PeftConfig {
  r: number
  loraAlpha: number
  targetModules: string[] | string | null
  fanInFanOut: boolean
  useRslora: boolean
  rankPattern: Record<string, number>
  alphaPattern: Record<string, number>
  baseModel: string | undefined
  raw: Record<string, unknown>
}

function numberMap (v: unknown, field: string, path: string | undefined): Record<string, number> {
  if (v == null) return {}
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new AdapterConfigError(path, `${field} must map module patterns to numbers`, field)
  }
  return v as Record<string, number>
}

/** Validate a parsed adapter_config.json. */
export function parsePeftConfig (json: unknown, path?: string): PeftConfig {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) throw new AdapterConfigError(path, 'not a JSON object')
  const c = json as Record<string, unknown>
  if (c.peft_type != null && c.peft_type !== 'LORA') throw new AdapterConfigError(path, `peft_type ${String(c.peft_type)} is not LORA`, 'peft_type')
  if (c.use_dora === true) throw new AdapterConfigError(path, 'DoRA adapters (use_dora) carry magnitude vectors and are not supported', 'use_dora')
  const r = c.r
  if (typeof r !== 'number' || !Number.isInteger(r) || r <= 0) throw new AdapterConfigError(path, 'r must be a positive integer', 'r')
  const alpha = c.lora_alpha ?? 8
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new AdapterConfigError(path, 'lora_alpha must be a finite number', 'lora_alpha')
  const tm = c.target_modules ?? null
  if (tm != null && typeof tm !== 'string' && !(Array.isArray(tm) && tm.every((x) => typeof x === 'string'))) {
    throw new AdapterConfigError(path, 'target_modules must be a string or a list of strings', 'target_modules')
  }
  const base = c.base_model_name_or_path
  return {
    r,
    loraAlpha: alpha,
    targetModules: tm as string[] | string | null,
    fanInFanOut: c.fan_in_fan_out === true,
    useRslora: c.use_rslora === true,
    rankPattern: numberMap(c.rank_pattern, 'rank_pattern', path),
    alphaPattern: numberMap(c.alpha_pattern, 'alpha_pattern', path),
    baseModel: typeof base === 'string' ? base : undefined,
    raw: c
  }
}

function escapeRe (s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** PEFT's pattern rule: a key matches a module whose name is the key or ends with `.key`. */
function patternValue (map: Record<string, number>, module: string): number | undefined {
  for (const [key, value] of Object.entries(map)) {
    let re: RegExp
    try { re = new RegExp(`(.*\\.)?(${key})$`) } catch { re = new RegExp(`(.*\\.)?(${escapeRe(key)})$`) }
    if (re.test(module)) return value
  }
  return undefined
}

/** Guess the GGUF architecture from module names and the base model id. */
export function guessArch (modules: string[], baseModel: string | undefined): string | undefined {
  const b = (baseModel ?? '').toLowerCase()
  if (modules.some((m) => /^transformer\.h\.\d+\./.test(m))) return 'gpt2'
  if (modules.some((m) => /^model\.layers\.\d+\./.test(m))) {
    if (b.includes('qwen')) return 'qwen2'
    if (b.includes('llama') || b.includes('mistral')) return 'llama'
  }
  return undefined
}

/** Build an in-memory adapter from an already-read config and safetensors buffer. */
export function peftAdapterFromBytes (configJson: unknown, weights: Uint8Array, paths: { config?: string, weights?: string } = {}): LoraAdapter {
  const cfg = parsePeftConfig(configJson, paths.config)
  const file = parseSafetensors(weights, paths.weights)
  const pairs = new Map<string, { a?: SafeTensor, b?: SafeTensor }>()
  const extras: ExtraTensor[] = []
  const warnings: string[] = []
  const dtypes = new Set<FloatDtype>()
  for (const t of file.tensors) {
    const m = LORA_KEY.exec(t.name)
    if (m == null) {
      extras.push({ name: t.name, shape: t.shape, data: t.data, dtype: t.dtype })
      warnings.push(`tensor ${t.name} [${t.shape.join(', ')}] is not a LoRA factor: carried as an extra, not merged or converted`)
      continue
    }
    const module = m[1] as string
    const p = pairs.get(module) ?? {}
    if (m[2] === 'A') p.a = t
    else p.b = t
    pairs.set(module, p)
    dtypes.add(t.dtype)
  }
  const targets: LoraTarget[] = []
  for (const module of [...pairs.keys()].sort(naturalCompare)) {
    const { a, b } = pairs.get(module) as { a?: SafeTensor, b?: SafeTensor }
    if (a == null || b == null) throw new LoraPairError(module, `lora_${a == null ? 'A' : 'B'} is missing`)
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new LoraPairError(module, 'lora_A and lora_B must be 2-D')
    const [rank, nIn] = a.shape as [number, number]
    const [nOut, rankB] = b.shape as [number, number]
    if (rank !== rankB) throw new LoraPairError(module, `lora_A has rank ${rank} but lora_B has rank ${rankB}`)
    const cfgRank = patternValue(cfg.rankPattern, module) ?? cfg.r
    if (cfgRank !== rank) throw new LoraPairError(module, `tensors have rank ${rank} but the config says r=${cfgRank}`)
    for (const t of [a, b]) {
      const bad = firstNonFinite(t.data)
      if (bad >= 0) throw new NonFiniteValueError(t.name, bad, t.data[bad] as number)
    }
    const alpha = patternValue(cfg.alphaPattern, module) ?? cfg.loraAlpha
    const scale = cfg.useRslora ? alpha / Math.sqrt(rank) : alpha / rank
    targets.push({
      name: module,
      a: { rows: rank, cols: nIn, data: a.data },
      b: { rows: nOut, cols: rank, data: b.data },
      rank,
      alpha,
      scale
    })
  }
  if (targets.length === 0) throw new LoraPairError('(none)', 'the file holds no lora_A/lora_B pairs')
  const sourceDtype = dtypes.size === 1 ? [...dtypes][0] : 'F32'
  return {
    format: 'peft',
    frame: 'hf',
    arch: guessArch(targets.map((t) => t.name), cfg.baseModel),
    baseModel: cfg.baseModel,
    fanInFanOut: cfg.fanInFanOut,
    targets,
    extras,
    warnings,
    peftConfig: cfg.raw,
    sourceDtype
  }
}

/** Read a PEFT adapter directory. */
export async function readPeftDir (dir: string): Promise<LoraAdapter> {
  const configPath = join(dir, PEFT_CONFIG_FILE)
  const weightsPath = join(dir, PEFT_WEIGHTS_FILE)
  let configText: string
  let weights: Uint8Array
  try {
    const s = await stat(dir)
    if (!s.isDirectory()) throw new Error('not a directory')
    configText = await readFile(configPath, 'utf8')
    weights = await readFile(weightsPath)
  } catch (err) {
    throw new AdapterNotFoundError(dir, `not a PEFT adapter directory (needs ${PEFT_CONFIG_FILE} and ${PEFT_WEIGHTS_FILE})`, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(configText)
  } catch (err) {
    throw new AdapterConfigError(configPath, 'not valid JSON', undefined, { cause: err })
  }
  return peftAdapterFromBytes(json, weights, { config: configPath, weights: weightsPath })
}

/**
 * Serialise an adapter in the HF frame as PEFT files. Targets whose scale is not alpha/rank (or
 * which differ from the common alpha) get their scale folded into B, so the files reproduce ΔW.
 */
export function encodePeft (adapter: LoraAdapter, options: { dtype?: FloatDtype } = {}): { config: string, weights: Uint8Array } {
  const first = adapter.targets[0]
  if (first == null) throw new LoraPairError('(none)', 'adapter has no targets')
  const raw = adapter.peftConfig ?? {}
  const rslora = raw.use_rslora === true
  const rankCounts = new Map<number, number>()
  for (const t of adapter.targets) rankCounts.set(t.rank, (rankCounts.get(t.rank) ?? 0) + 1)
  const r = [...rankCounts.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? first.rank
  const sameAlpha = adapter.targets.every((t) => t.alpha === first.alpha)
  const alpha = sameAlpha ? first.alpha : r
  const rankPattern: Record<string, number> = {}
  const dtype = options.dtype ?? adapter.sourceDtype ?? 'F32'
  const tensors: SafeTensor[] = []
  for (const t of adapter.targets) {
    if (t.rank !== r) rankPattern[t.name] = t.rank
    const written = rslora ? alpha / Math.sqrt(t.rank) : alpha / t.rank
    let bData = t.b.data
    if (written !== t.scale) {
      const f = t.scale / written
      bData = new Float32Array(t.b.data.length)
      for (let i = 0; i < bData.length; i++) bData[i] = (t.b.data[i] as number) * f
    }
    tensors.push({ name: `${PREFIX}${t.name}.lora_A.weight`, dtype, shape: [t.a.rows, t.a.cols], data: t.a.data })
    tensors.push({ name: `${PREFIX}${t.name}.lora_B.weight`, dtype, shape: [t.b.rows, t.b.cols], data: bData })
  }
  for (const e of adapter.extras) tensors.push({ name: e.name, dtype: options.dtype ?? e.dtype, shape: e.shape, data: e.data })
  const leaf = (n: string): string => n.split('.').pop() ?? n
  const config: Record<string, unknown> = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    bias: 'none',
    inference_mode: true,
    base_model_name_or_path: adapter.baseModel ?? null,
    fan_in_fan_out: adapter.fanInFanOut,
    ...raw,
    r,
    lora_alpha: alpha,
    rank_pattern: rankPattern,
    alpha_pattern: {},
    target_modules: raw.target_modules ?? [...new Set(adapter.targets.map((t) => leaf(t.name)))].sort()
  }
  return { config: JSON.stringify(config, null, 2) + '\n', weights: encodeSafetensors(tensors, { format: 'pt' }) }
}

/** Write a PEFT directory (each file written atomically). */
export async function writePeftDir (adapter: LoraAdapter, dir: string, options: { dtype?: FloatDtype } = {}): Promise<void> {
  if (adapter.frame !== 'hf') throw new AdapterConfigError(dir, 'PEFT output needs an adapter in the Hugging Face frame (convert GGUF adapters back first)')
  const { config, weights } = encodePeft(adapter, options)
  await writeFilesAtomic(dir, [{ name: PEFT_WEIGHTS_FILE, bytes: weights }, { name: PEFT_CONFIG_FILE, bytes: config }])
}
