/** `baobab adapter convert|inspect|compare|merge|compress|decompress`: adapter math on files. */
import { readFile } from 'node:fs/promises'
import {
  AdapterError, AdapterNotFoundError, compareAdapters, compressAdapter, convertToGguf, convertToHf, decodeBitDelta,
  denseDelta, InvalidOptionError, loadAdapterFile, MERGE_METHODS, mergeAdapters, normFactored, targetFactored,
  writeBitDelta, writeGgufLora, writePeftDir
} from '../../adapters/index.ts'
import type { AdapterProgress, ArchOptions, LoraAdapter, MergeMethod } from '../../adapters/index.ts'
import { emit, progressBar, reportError, wantsJson } from '../context.ts'
import type { Command } from 'commander'

interface ArchFlags { arch?: string, heads?: string, kvHeads?: string }

function int (name: string, v: string | undefined): number | undefined {
  if (v == null) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidOptionError(name, v, 'must be a positive integer')
  return n
}

function num (name: string, v: string | undefined): number | undefined {
  if (v == null) return undefined
  const n = Number(v)
  if (!Number.isFinite(n)) throw new InvalidOptionError(name, v, 'must be a number')
  return n
}

function archOptions (o: ArchFlags): ArchOptions {
  const heads = int('heads', o.heads)
  const kv = int('kv-heads', o.kvHeads)
  return { ...(o.arch != null ? { arch: o.arch } : {}), ...(heads != null ? { nHead: heads } : {}), ...(kv != null ? { nHeadKv: kv } : {}) }
}

/** Adapter errors are bad input (exit 2), missing files not found (3); the rest as usual. */
function run<A extends unknown[]> (fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args)
    } catch (err) {
      if (err instanceof AdapterError && !(err instanceof AdapterNotFoundError)) {
        console.error(`error: ${err.name}: ${err.message}`)
        process.exitCode = 2
      } else {
        reportError(err)
      }
    }
  }
}

function progress (cmd: Command, label: string): { onProgress: (e: AdapterProgress) => void, stop: () => void } {
  let bar: ReturnType<typeof progressBar> | undefined
  return {
    onProgress: (e) => {
      bar ??= progressBar(cmd, label, e.total)
      bar.update(e.done)
    },
    stop: () => bar?.stop()
  }
}

function outputFormat (out: string, to: string | undefined): 'gguf' | 'peft' {
  const f = to ?? (out.endsWith('.gguf') ? 'gguf' : 'peft')
  if (f !== 'gguf' && f !== 'peft') throw new InvalidOptionError('to', f, 'must be gguf or peft')
  return f
}

async function writeAdapter (adapter: LoraAdapter, out: string, format: 'gguf' | 'peft', arch: ArchOptions, dtype?: string): Promise<LoraAdapter> {
  if (dtype != null && dtype !== 'f32' && dtype !== 'f16') throw new InvalidOptionError('dtype', dtype, 'must be f32 or f16')
  const d = dtype === 'f16' ? 'F16' : dtype === 'f32' ? 'F32' : undefined
  if (format === 'gguf') {
    const g = convertToGguf(adapter, arch)
    await writeGgufLora(g, out, d != null ? { dtype: d } : {})
    return g
  }
  const h = convertToHf(adapter, arch)
  await writePeftDir(h, out, d != null ? { dtype: d } : {})
  return h
}

function summary (a: LoraAdapter): Record<string, unknown> {
  let sq = 0
  for (const t of a.targets) sq += normFactored(targetFactored(t)) ** 2
  return {
    format: a.format,
    frame: a.frame,
    arch: a.arch ?? null,
    baseModel: a.baseModel ?? null,
    fanInFanOut: a.fanInFanOut,
    dtype: a.sourceDtype ?? null,
    targets: a.targets.length,
    ranks: [...new Set(a.targets.map((t) => t.rank))],
    alphas: [...new Set(a.targets.map((t) => t.alpha))],
    scales: [...new Set(a.targets.map((t) => t.scale))],
    params: a.targets.reduce((s, t) => s + t.a.data.length + t.b.data.length, 0),
    deltaNorm: Math.sqrt(sq),
    extras: a.extras.map((e) => ({ name: e.name, shape: e.shape })),
    warnings: a.warnings
  }
}

/** Max |ΔW − ΔW'| over targets matched by name (both adapters in the same frame). */
function maxAbsDeltaError (x: LoraAdapter, y: LoraAdapter): number {
  let max = 0
  for (const t of x.targets) {
    const u = y.targets.find((s) => s.name === t.name)
    if (u == null) throw new AdapterError(`round trip lost target ${t.name}`)
    const d1 = denseDelta(t.b, t.a, t.scale).data
    const d2 = denseDelta(u.b, u.a, u.scale).data
    for (let i = 0; i < d1.length; i++) max = Math.max(max, Math.abs((d1[i] as number) - (d2[i] as number)))
  }
  return max
}

const fmt = (x: number, d = 3): string => x.toFixed(d)

/** Mixed PEFT and GGUF inputs: bring the GGUF ones into the Hugging Face frame. */
function oneFrame (adapters: LoraAdapter[], arch: ArchOptions): LoraAdapter[] {
  if (new Set(adapters.map((a) => a.frame)).size < 2) return adapters
  return adapters.map((a) => (a.frame === 'gguf' ? convertToHf(a, arch) : a))
}

export function registerAdapterMath (adapter: Command): void {
  adapter.command('inspect <path>')
    .description('show what a PEFT directory, GGUF LoRA or BitDelta file holds')
    .option('--json', 'print JSON')
    .action(run(async (path: string, _o: unknown, cmd: Command) => {
      const a = await loadAdapterFile(path)
      const s = summary(a)
      emit(cmd, { ...s, targetList: a.targets.map((t) => ({ name: t.name, out: t.b.rows, in: t.a.cols,
        rank: t.rank, alpha: t.alpha, scale: t.scale })) }, () => {
        console.log(`${path}: ${a.format} (${a.frame} frame), arch ${a.arch ?? '?'}, base ${a.baseModel ?? '?'}`)
        console.log(`  ${a.targets.length} targets, rank ${String(s.ranks)}, alpha ${String(s.alphas)}, ${String(s.params)} params, ‖ΔW‖_F ${fmt(s.deltaNorm as number)}${a.fanInFanOut ? ', Conv1D fan_in_fan_out' : ''}`)
        for (const w of a.warnings) console.log(`  warning: ${w}`)
      })
    }))

  adapter.command('convert <src>')
    .description('convert a PEFT directory to a GGUF LoRA (or back with --to peft)')
    .requiredOption('--to <format>', 'gguf or peft')
    .requiredOption('-o, --output <path>', 'output file (gguf) or directory (peft)')
    .option('--arch <arch>', 'llama | qwen2 | gpt2 (default: guessed from the base model)')
    .option('--heads <n>', 'attention heads (llama q/k permutation; known bases need none)')
    .option('--kv-heads <n>', 'KV heads (llama k permutation)')
    .option('--dtype <t>', 'f32 (default) or f16')
    .option('--no-verify', 'skip reading the output back and measuring the ΔW round-trip error')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  baobab adapter convert ./tinyllama-emotion --to gguf -o emotion.gguf')
    .action(run(async (src: string, o: ArchFlags & { to: string, output: string, dtype?: string, verify: boolean }, cmd: Command) => {
      const a = await loadAdapterFile(src)
      const arch = archOptions(o)
      const format = outputFormat(o.output, o.to)
      const written = await writeAdapter(a, o.output, format, arch, o.dtype)
      let maxAbsError: number | null = null
      if (o.verify) {
        const back = await loadAdapterFile(o.output)
        const backInFrame = back.frame === written.frame ? back : format === 'gguf' ? convertToGguf(back, arch) : convertToHf(back, arch)
        maxAbsError = maxAbsDeltaError(written, backInFrame)
      }
      emit(cmd, { output: o.output, format, arch: written.arch ?? null, targets: written.targets.length,
        roundTripMaxAbsError: maxAbsError, warnings: written.warnings }, () => {
        console.log(`wrote ${o.output} (${format}, ${written.arch ?? '?'}, ${written.targets.length} targets)`)
        if (maxAbsError != null) console.log(`round trip: max |ΔW − ΔW'| = ${maxAbsError.toExponential(2)}`)
        for (const w of written.warnings) console.log(`warning: ${w}`)
      })
    }))

  adapter.command('compare <a> <b> [more...]')
    .description('merge-or-route report: subspace overlap, ΔW cosine, per-method retention')
    .option('--rank <r>', 'rank of merged updates for the retention figures (default Σ ranks)')
    .option('--methods <list>', `comma list of ${MERGE_METHODS.join(', ')}`)
    .option('--dense-targets <n>', 'targets sampled for TIES/DARE (default 4)')
    .option('--allow-base-mismatch', 'compare adapters declared for different base models')
    .option('--arch <arch>', 'architecture, when GGUF and PEFT inputs are mixed')
    .option('--heads <n>', 'attention heads (llama), when GGUF and PEFT inputs are mixed')
    .option('--kv-heads <n>', 'KV heads (llama)')
    .option('--json', 'print JSON')
    .action(run(async (a: string, b: string, more: string[],
      o: ArchFlags & { rank?: string, methods?: string, denseTargets?: string, allowBaseMismatch?: boolean }, cmd: Command) => {
      const paths = [a, b, ...more]
      const adapters = oneFrame(await Promise.all(paths.map((p) => loadAdapterFile(p))), archOptions(o))
      const methods = o.methods?.split(',').map((m) => m.trim()) as MergeMethod[] | undefined
      for (const m of methods ?? []) if (!MERGE_METHODS.includes(m)) throw new InvalidOptionError('methods', m, `must be among ${MERGE_METHODS.join(', ')}`)
      const p = progress(cmd, 'compare')
      const rank = int('rank', o.rank)
      const dense = int('dense-targets', o.denseTargets)
      const report = compareAdapters(adapters, {
        labels: paths,
        onProgress: p.onProgress,
        ...(rank != null ? { rank } : {}),
        ...(methods != null ? { methods } : {}),
        ...(dense != null ? { denseTargets: dense } : {}),
        ...(o.allowBaseMismatch === true ? { allowBaseMismatch: true } : {})
      })
      p.stop()
      emit(cmd, report, () => {
        console.log(`verdict: ${report.verdict.toUpperCase()}`)
        for (const r of report.reasons) console.log(`  ${r}`)
        console.log('pair                     ΔW cos   B overlap (null)  excess   A overlap (null)')
        for (const q of report.pairs) {
          console.log(`  ${q.a}-${q.b}`.padEnd(25) + `${fmt(q.deltaCos, 4).padStart(7)}   ${fmt(q.bOverlap)} (${fmt(q.bNull)})    ${fmt(q.bExcess)}    ${fmt(q.aOverlap)} (${fmt(q.aNull)})`)
        }
        for (const m of report.methods) {
          const ret = m.retention.map((r, i) => `#${i} cos ${fmt(r.cos)} relErr ${fmt(r.relError)}`).join('; ')
          console.log(`  ${m.method.padEnd(7)} rank ${m.rank}: ${ret}${m.crossTermShare != null ? `; cross-terms ${fmt(m.crossTermShare)} of the update` : ''}${m.beforeTruncation === true ? ` (dense, ${m.targetsUsed} targets)` : ''}`)
        }
        for (const w of report.warnings) console.log(`warning: ${w}`)
      })
    }))

  adapter.command('merge <a> <b> [more...]')
    .description('merge adapters in ΔW space and write a rank-r adapter (PEFT dir or .gguf)')
    .requiredOption('--method <m>', MERGE_METHODS.join(' | '))
    .requiredOption('-o, --output <path>', 'output directory (PEFT) or .gguf file')
    .option('--rank <r>', 'output rank (default Σ source ranks)')
    .option('--weights <list>', 'comma list of weights (default 1/n; ties 1)')
    .option('--density <d>', 'TIES: fraction kept per source (default 0.2)')
    .option('--drop-rate <p>', 'DARE: drop probability (default 0.5)')
    .option('--seed <n>', 'DARE / sketch seed (default 1)')
    .option('--to <format>', 'peft or gguf (default from the output name)')
    .option('--arch <arch>', 'architecture for GGUF output')
    .option('--heads <n>', 'attention heads (llama)')
    .option('--kv-heads <n>', 'KV heads (llama)')
    .option('--allow-base-mismatch', 'merge adapters declared for different base models')
    .option('--json', 'print JSON')
    .action(run(async (a: string, b: string, more: string[], o: ArchFlags & {
      method: string, output: string, rank?: string, weights?: string, density?: string, dropRate?: string, seed?: string, to?: string,
      allowBaseMismatch?: boolean
    }, cmd: Command) => {
      const paths = [a, b, ...more]
      const adapters = oneFrame(await Promise.all(paths.map((p) => loadAdapterFile(p))), archOptions(o))
      const weights = o.weights?.split(',').map((w) => num('weights', w) as number)
      const rank = int('rank', o.rank)
      const density = num('density', o.density)
      const dropRate = num('drop-rate', o.dropRate)
      const seed = num('seed', o.seed)
      const p = progress(cmd, `merge (${o.method})`)
      const res = mergeAdapters(adapters, {
        method: o.method as MergeMethod,
        onProgress: p.onProgress,
        ...(weights != null ? { weights } : {}),
        ...(rank != null ? { rank } : {}),
        ...(density != null ? { density } : {}),
        ...(dropRate != null ? { dropRate } : {}),
        ...(seed != null ? { seed } : {}),
        ...(o.allowBaseMismatch === true ? { allowBaseMismatch: true } : {})
      })
      p.stop()
      const format = outputFormat(o.output, o.to)
      await writeAdapter(res.adapter, o.output, format, archOptions(o))
      const { adapter: _merged, ...report } = res
      emit(cmd, { output: o.output, format, ...report }, () => {
        console.log(`wrote ${o.output} (${format}, ${res.method}, rank ${res.rank}, ${res.targets.length} targets)`)
        res.retention.forEach((r, i) => { console.log(`  vs ${paths[i] ?? i}: cos ${fmt(r.cos)}, relative error ${fmt(r.relError)}`) })
        if (res.crossTermShare != null) console.log(`  cross-terms B_i·A_j are ${fmt(res.crossTermShare)} of the factor-wise update`)
        for (const w of res.warnings) console.log(`warning: ${w}`)
      })
    }))

  adapter.command('compress <src>')
    .description('1-bit BitDelta compression of the LoRA factors')
    .requiredOption('-o, --output <file>', 'output .bdlt file')
    .option('--group <n>', 'values per scale (default 128)')
    .option('--iterations <n>', 'least-squares refinement sweeps (default 4; 0 = mean|x| scales)')
    .option('--json', 'print JSON')
    .action(run(async (src: string, o: { output: string, group?: string, iterations?: string }, cmd: Command) => {
      const a = await loadAdapterFile(src)
      const group = int('group', o.group)
      const iters = o.iterations != null ? Number(o.iterations) : undefined
      if (iters != null && (!Number.isInteger(iters) || iters < 0)) throw new InvalidOptionError('iterations', o.iterations, 'must be an integer ≥ 0')
      const p = progress(cmd, 'compress')
      const res = compressAdapter(a, { onProgress: p.onProgress, ...(group != null ? { group } : {}), ...(iters != null ? { refineIterations: iters } : {}) })
      p.stop()
      await writeBitDelta(o.output, res.bytes)
      const { bytes: _b, perTarget, ...figures } = res
      emit(cmd, { output: o.output, ...figures, ...(wantsJson(cmd) ? { perTarget } : {}) }, () => {
        console.log(`wrote ${o.output}: ${res.compressedBytes} bytes, ${fmt(res.ratio, 1)}× smaller than fp32 factors, relative ΔW error ${fmt(res.relError)}`)
      })
    }))

  adapter.command('decompress <src>')
    .description('BitDelta file → PEFT directory or GGUF LoRA')
    .requiredOption('-o, --output <path>', 'output directory (PEFT) or .gguf file')
    .option('--to <format>', 'peft or gguf (default from the output name)')
    .option('--arch <arch>', 'architecture for GGUF output')
    .option('--heads <n>', 'attention heads (llama)')
    .option('--kv-heads <n>', 'KV heads (llama)')
    .option('--json', 'print JSON')
    .action(run(async (src: string, o: ArchFlags & { output: string, to?: string }, cmd: Command) => {
      let bytes: Uint8Array
      try { bytes = await readFile(src) } catch (err) { throw new AdapterNotFoundError(src, 'cannot read file', { cause: err }) }
      const a = decodeBitDelta(bytes, src)
      const format = outputFormat(o.output, o.to)
      const written = await writeAdapter(a, o.output, format, archOptions(o))
      emit(cmd, { output: o.output, format, targets: written.targets.length }, () => {
        console.log(`wrote ${o.output} (${format}, ${written.targets.length} targets)`)
      })
    }))
}
