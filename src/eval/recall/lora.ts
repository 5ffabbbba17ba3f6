/**
 * LoRA weights for the "routed adapters vs one ΔW-merged adapter" comparison (llama runtime):
 * one GGUF LoRA per domain, either from a folder (`<domain>.gguf`, trained for the base model in
 * use) or synthetic (deterministic random LoRAs for the bundled tiny model, which only exercise
 * the code path), and their merge in ΔW space (src/adapters `mergeAdapters`) written as one GGUF.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadAdapterFile, mergeAdapters, writeGgufLora, writeTinyLora } from '../../adapters/index.ts'
import { InvalidEvalOptionError } from '../errors.ts'
import type { LoraAdapter, MergeMethod } from '../../adapters/index.ts'

export interface LoraFileInfo {
  path: string
  rank: number
  alpha: number
  /** Module names adapted (e.g. attn_q). */
  targets: string[]
  baseModel: string
}

export interface LoraSet {
  source: 'synthetic' | 'folder'
  perDomain: Map<string, LoraFileInfo>
  merged: LoraFileInfo
  mergeMethod: MergeMethod
  /** cos(ΔW_merged, ΔW_domain) per domain: how much of each expert survives the merge. */
  retention: Record<string, number>
}

export interface PrepareLorasOptions {
  /** 'synthetic' or a folder holding `<domain>.gguf` files. */
  source: string
  domains: string[]
  workDir: string
  mergeMethod?: MergeMethod
  /** TIES density (default 0.5, as upstream's saved merge). */
  density?: number
  signal?: AbortSignal
}

/** Seed of a domain's synthetic LoRA: fixed per domain name, so reruns (and sets sharing a domain) get the same weights. */
function syntheticSeed (domain: string): number {
  let h = 0x811c9dc5
  for (const ch of domain) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0
  return 1 + (h % 1_000_000)
}

function moduleName (target: string): string {
  const parts = target.replace(/\.weight$/, '').split('.')
  return parts[parts.length - 1] ?? target
}

function describe (path: string, a: LoraAdapter): LoraFileInfo {
  const first = a.targets[0]
  return {
    path,
    rank: Math.max(0, ...a.targets.map(t => t.rank)),
    alpha: first?.alpha ?? 0,
    targets: [...new Set(a.targets.map(t => moduleName(t.name)))].slice(0, 64),
    baseModel: a.baseModel ?? 'unknown'
  }
}

export async function prepareLoras (options: PrepareLorasOptions): Promise<LoraSet> {
  const { domains, workDir } = options
  const synthetic = options.source === 'synthetic'
  const files: string[] = []
  for (const d of domains) {
    options.signal?.throwIfAborted()
    if (synthetic) {
      const path = join(workDir, `${d}.lora.gguf`)
      await writeTinyLora(path, syntheticSeed(d))
      files.push(path)
    } else {
      const path = join(options.source, `${d}.gguf`)
      if (!existsSync(path)) throw new InvalidEvalOptionError('--lora', `${options.source} has no ${d}.gguf (one GGUF LoRA per domain: ${domains.map(x => `${x}.gguf`).join(', ')})`)
      files.push(path)
    }
  }
  const adapters: LoraAdapter[] = []
  for (const f of files) adapters.push(await loadAdapterFile(f))
  const method = options.mergeMethod ?? 'ties'
  const merged = mergeAdapters(adapters, {
    method,
    ...(method === 'ties' ? { density: options.density ?? 0.5 } : {}),
    ...(options.signal != null ? { signal: options.signal } : {})
  })
  const mergedPath = join(workDir, `merged-${method}.lora.gguf`)
  await writeGgufLora(merged.adapter, mergedPath, { name: `baobab-eval-merged-${method}` })
  const perDomain = new Map<string, LoraFileInfo>()
  domains.forEach((d, i) => { perDomain.set(d, describe(files[i]!, adapters[i]!)) })
  const retention: Record<string, number> = {}
  domains.forEach((d, i) => { retention[d] = merged.retention[i]?.cos ?? 0 })
  return {
    source: synthetic ? 'synthetic' : 'folder',
    perDomain,
    merged: describe(mergedPath, merged.adapter),
    mergeMethod: method,
    retention
  }
}
