/**
 * Adapter screen: the card (text fields, declared sizes) and, for `gguf-lora`, the weights:
 * every value finite, shapes consistent per target kind and with the base, declared rank and
 * targets honest, and each target's ΔW Frobenius and spectral norm within bounds learned from
 * trusted adapters of the same base (defaults when fewer than three exist).
 */
import { join } from 'node:path'
import { CHUNK_SIZE } from '../artifacts/index.ts'
import { MAX_ADAPTER_BYTES, MAX_ADAPTER_RANK } from './constants.ts'
import { targetNorms } from './norms.ts'
import { Checks, fmt, injectionCheck } from './screen-report.ts'
import type { ScreenReport } from './screen-report.ts'
import type { TargetNorms } from './norms.ts'
import type { LoraAdapter } from '../adapters/index.ts'
import type { AdapterBody } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'

export interface NormBounds {
  spectral: number
  frobenius: number
  /** True when learned from trusted adapters of the same base. */
  learned: boolean
  samples: number
  /** The (n_in, n_out) trusted adapters of this base have for this kind, when known. */
  shape?: { nIn: number, nOut: number }
}

export interface AdapterScreenContext {
  library: Library
  loadAdapter: (path: string) => Promise<LoraAdapter>
  bounds: (base: string, kind: string) => NormBounds
  /** Directory for the reassembled weight file (the caller removes it). */
  workDir: string
  signal?: AbortSignal
}

/** Largest norms per target kind, recorded for learned bounds when the adapter is trusted. */
export type KindNorms = Pick<TargetNorms, 'kind' | 'nIn' | 'nOut' | 'rank' | 'frobenius' | 'spectral'>

export interface AdapterScreenResult {
  report: ScreenReport
  norms: KindNorms[]
  /** The reassembled GGUF file, for the canary (only when every check passed). */
  weightsPath?: string
}

export function baseKey (body: AdapterBody): string {
  return `${body.base.family}/${body.base.model}`
}

const KIND_NAMES: Record<string, string> = { q_proj: 'attn_q', k_proj: 'attn_k', v_proj: 'attn_v', o_proj: 'attn_output', gate_proj: 'ffn_gate', up_proj: 'ffn_up', down_proj: 'ffn_down' }

function declaredKinds (targets: string[]): Set<string> {
  return new Set(targets.map(t => KIND_NAMES[t] ?? t))
}

/**
 * Reads a weight file a peer supplied and records the checks on it: readable GGUF LoRA, every
 * value finite, targets among the declared ones, ranks within the declared rank. Never throws
 * for bad bytes: whatever the reader throws becomes a failed check with its reason.
 * Returns the per-target norms, or undefined when a check failed.
 */
export async function screenWeightFile (path: string, body: Pick<AdapterBody, 'targets' | 'rank'>, loadAdapter: (path: string) => Promise<LoraAdapter>, checks: Checks): Promise<TargetNorms[] | undefined> {
  let adapter: LoraAdapter
  try {
    adapter = await loadAdapter(path)
  } catch (err) {
    const e = err as Error
    const code = e?.name === 'NonFiniteValueError' ? 'finite' : 'weights-readable'
    checks.add(code, false, `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`)
    return undefined
  }
  checks.add('format', adapter.format === 'gguf', `weights are ${adapter.format}`)
  const norms: TargetNorms[] = adapter.targets.map(t => targetNorms(t))
  if (!checks.add('targets', norms.length > 0, `${norms.length} LoRA target(s)`)) return undefined
  const nonFinite = norms.find(n => !n.finite)
  checks.add('finite', nonFinite == null, nonFinite == null ? `${norms.length} targets, all values finite` : `${nonFinite.name}: ΔW norm is not finite`)
  const kinds = declaredKinds(body.targets)
  const undeclared = norms.find(n => !kinds.has(n.kind))
  checks.add('targets', undeclared == null, undeclared == null ? `targets ${[...kinds].join(', ')}` : `${undeclared.name} (${undeclared.kind}) is not among the declared targets ${body.targets.join(', ')}`)
  const overRank = norms.find(n => n.rank > body.rank || n.rank < 1)
  checks.add('rank', overRank == null, overRank == null ? `ranks ≤ ${body.rank}` : `${overRank.name} has rank ${overRank.rank}, the card declares ${body.rank}`)
  return checks.failed ? undefined : norms
}

export async function screenAdapter (artifact: StoredArtifact, ctx: AdapterScreenContext): Promise<AdapterScreenResult> {
  const body = artifact.envelope.body as AdapterBody
  const checks = new Checks()
  const fields: Array<[string, string]> = [['name', body.name], ['description', body.description], ['domain', body.domain]]
  body.exemplars.forEach((e, i) => {
    fields.push([`exemplars[${i}].q`, e.q])
    if (e.a != null) fields.push([`exemplars[${i}].a`, e.a])
  })
  injectionCheck(checks, fields, true)
  if (body.format === 'card') {
    checks.add('card', body.chunks.length === 0 && body.bytes === 0, body.chunks.length === 0 ? 'knowledge card without weights' : `a card must not carry weights (${body.chunks.length} chunks)`)
    return { report: checks.report('card: text fields clean'), norms: [] }
  }
  const declared = checks.add('declared-size',
    body.chunks.length > 0 && body.bytes > (body.chunks.length - 1) * CHUNK_SIZE &&
      body.bytes <= body.chunks.length * CHUNK_SIZE && body.bytes <= MAX_ADAPTER_BYTES,
    `${body.bytes} bytes in ${body.chunks.length} chunk(s) of ${CHUNK_SIZE}`)
  const rankOk = checks.add('declared-rank', body.rank >= 1 && body.rank <= MAX_ADAPTER_RANK, `rank ${body.rank} (allowed 1..${MAX_ADAPTER_RANK})`)
  if (!declared || !rankOk || checks.failed) return { report: checks.report(''), norms: [] }

  const chunks = body.chunks.map(c => c.toString())
  const stored = chunks.reduce((n, c) => n + ctx.library.blobs.size(c), 0)
  if (!checks.add('chunks', stored === body.bytes, `chunks hold ${stored} bytes, the card says ${body.bytes}`)) return { report: checks.report(''), norms: [] }
  ctx.signal?.throwIfAborted()
  const weightsPath = join(ctx.workDir, 'adapter.gguf')
  ctx.library.writeBlobFile(chunks, weightsPath)
  const norms = await screenWeightFile(weightsPath, body, ctx.loadAdapter, checks)
  if (norms == null) return { report: checks.report(''), norms: [] }

  const base = baseKey(body)
  const byKind = new Map<string, KindNorms>()
  for (const n of norms) {
    const k = byKind.get(n.kind)
    if (k == null) {
      byKind.set(n.kind, { kind: n.kind, nIn: n.nIn, nOut: n.nOut, rank: n.rank, frobenius: n.frobenius, spectral: n.spectral })
      continue
    }
    if (!checks.add('shapes', k.nIn === n.nIn && k.nOut === n.nOut, `${n.name} is ${n.nOut}×${n.nIn} but other ${n.kind} layers are ${k.nOut}×${k.nIn}`)) break
    k.frobenius = Math.max(k.frobenius, n.frobenius)
    k.spectral = Math.max(k.spectral, n.spectral)
    k.rank = Math.max(k.rank, n.rank)
  }
  let worst = 0
  for (const k of byKind.values()) {
    if (checks.failed) break
    const b = ctx.bounds(base, k.kind)
    if (b.shape != null) {
      checks.add('shapes', b.shape.nIn === k.nIn && b.shape.nOut === k.nOut,
        `${k.kind} is ${k.nOut}×${k.nIn}; trusted ${base} adapters have ${b.shape.nOut}×${b.shape.nIn}`)
    }
    const src = b.learned ? `learned from ${b.samples} trusted ${base} adapters` : 'default, no trusted adapters of this base yet'
    checks.add('norm-spectral', k.spectral <= b.spectral, `${k.kind}: spectral norm ${fmt(k.spectral)} ${k.spectral <= b.spectral ? '≤' : '>'} bound ${fmt(b.spectral)} (${src})`)
    checks.add('norm-frobenius', k.frobenius <= b.frobenius, `${k.kind}: Frobenius norm ${fmt(k.frobenius)} ${k.frobenius <= b.frobenius ? '≤' : '>'} bound ${fmt(b.frobenius)} (${src})`)
    worst = Math.max(worst, k.spectral / b.spectral)
  }
  const maxSpectral = Math.max(...[...byKind.values()].map(k => k.spectral))
  checks.evidence.maxSpectral = Number(maxSpectral.toPrecision(4))
  checks.evidence.normRatio = Number(worst.toPrecision(4))
  const report = checks.report(`${norms.length} targets finite, shapes consistent, norms within bounds (worst at ${fmt(100 * worst)}% of its bound)`)
  return { report, norms: [...byKind.values()], ...(report.verdict === 'pass' ? { weightsPath } : {}) }
}
