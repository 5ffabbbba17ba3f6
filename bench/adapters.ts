/**
 * Adapter math bench: BitDelta compress/decompress and merge throughput (MB/s of fp32 factors)
 * on the largest shared adapter, SVD time for a 2048×2048 ΔW (randomized vs exact factored, with
 * ml-matrix's full SVD at smaller sizes as the baseline), compression of all 13 adapters,
 * PEFT→GGUF round-trip errors, merge-or-route figures, and the tiny-model KL functional check.
 * Needs ../shared/adapters (skips those parts when absent). Memory peak from resourceUsage.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Matrix, SingularValueDecomposition } from 'ml-matrix'
import { getLlama } from 'node-llama-cpp'
import type { LlamaModel } from 'node-llama-cpp'
import {
  compareAdapters, compressAdapter, convertToGguf, convertToHf, createPrng, decodeBitDelta, denseDelta, meanKl,
  mergeAdapters, randomizedSvd, readGgufLora, readPeftDir, targetFactored, truncateFactored, writeGgufLora
} from '../src/adapters/index.ts'
import type { LoraAdapter, MergeMethod } from '../src/adapters/index.ts'

const SHARED = fileURLToPath(new URL('../../shared/adapters/', import.meta.url))
const FIX = fileURLToPath(new URL('../test/fixtures/', import.meta.url))

const time = async <T>(fn: () => T | Promise<T>): Promise<{ value: T, ms: number }> => {
  const t0 = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - t0 }
}
const factorBytes = (a: LoraAdapter): number => a.targets.reduce((s, t) => s + 4 * (t.a.data.length + t.b.data.length), 0)
const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000)
const r3 = (x: number): number => Math.round(x * 1000) / 1000

function maxAbsDelta (x: LoraAdapter, y: LoraAdapter): number {
  let m = 0
  for (const [i, t] of x.targets.entries()) {
    const u = y.targets[i]
    if (u == null) return Infinity
    const d1 = denseDelta(t.b, t.a, t.scale).data
    const d2 = denseDelta(u.b, u.a, u.scale).data
    for (let j = 0; j < d1.length; j++) m = Math.max(m, Math.abs((d1[j] as number) - (d2[j] as number)))
  }
  return m
}

async function svdFigures (): Promise<Record<string, number>> {
  const rng = createPrng(7)
  const n = 2048
  const r = 4
  const b = { rows: n, cols: r, data: new Float32Array(n * r).map(() => rng.gaussian()) }
  const a = { rows: r, cols: n, data: new Float32Array(r * n).map(() => rng.gaussian()) }
  const dense = denseDelta(b, a)
  const noisy = { ...dense, data: dense.data.map((v) => v + 0.01 * rng.gaussian()) }
  const target = { name: 'q', a, b, rank: r, alpha: r, scale: 1 }
  truncateFactored(targetFactored(target), r) // warm-up
  const factRuns = [
    await time(() => truncateFactored(targetFactored(target), r)),
    await time(() => truncateFactored(targetFactored(target), r)),
    await time(() => truncateFactored(targetFactored(target), r))
  ]
  const fact = factRuns.sort((x, y) => x.ms - y.ms)[1] as { ms: number }
  const rand = await time(() => randomizedSvd(noisy, 8))
  const out: Record<string, number> = {
    svd2048FactoredExactMs: r3(fact.ms),
    svd2048RandomizedK8Ms: r3(rand.ms),
    svd2048RandomizedEnergyKept: r3(rand.value.energyKept)
  }
  for (const size of [256, 512]) {
    const m = Matrix.rand(size, size, { random: () => rng.next() })
    const full = await time(() => new SingularValueDecomposition(m))
    out[`svdMlMatrixFull${size}Ms`] = r3(full.ms)
  }
  // O(n³): extrapolate the ml-matrix baseline to 2048 from the 512 measurement.
  out.svdMlMatrixFull2048EstimateMs = Math.round((out.svdMlMatrixFull512Ms as number) * 64)
  return out
}

async function distributions (model: LlamaModel, lora: string | undefined, prompts: string[]): Promise<Array<Map<number, number>>> {
  const ctx = await model.createContext({ contextSize: 128, threads: 1, ...(lora != null ? { lora: { adapters: [{ filePath: lora, scale: 1 }] } } : {}) })
  try {
    const seq = ctx.getSequence()
    const out: Array<Map<number, number>> = []
    for (const p of prompts) {
      await seq.clearHistory()
      const toks = model.tokenize(p)
      const res = await seq.controlledEvaluate(toks.map((tk, i) => (i === toks.length - 1
        ? [tk, { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } }]
        : tk)))
      out.push(res.at(-1)?.next.probabilities ?? new Map())
    }
    return out
  } finally {
    await ctx.dispose()
  }
}

async function functionalFigures (dir: string): Promise<Record<string, number>> {
  const prompts = ['The capital of France is', 'Once upon a time', 'def fibonacci(n):', '1, 2, 3, 4,', 'Dear Sir or Madam,', 'The weather today']
  const la = join(FIX, 'tiny-lora', 'llama-2-tiny-random.lora-a.f32.gguf')
  const lb = join(FIX, 'tiny-lora', 'llama-2-tiny-random.lora-b.f16.gguf')
  const a = await readGgufLora(la)
  const b = await readGgufLora(lb)
  const files: Record<string, string> = {}
  const methods: Array<[string, MergeMethod, number | undefined]> = [['linear', 'linear', 8], ['linearR4', 'linear', 4], ['ties', 'ties', 8], ['dare', 'dare', 8], ['naive', 'naive', undefined]]
  for (const [name, method, rank] of methods) {
    files[name] = join(dir, `${name}.gguf`)
    await writeGgufLora(convertToGguf(mergeAdapters([a, b], { method, ...(rank != null ? { rank } : {}), seed: 3 }).adapter), files[name])
  }
  const llama = await getLlama({ gpu: false, build: 'never' })
  const model = await llama.loadModel({ modelPath: join(FIX, 'llama-2-tiny-random.gguf') })
  try {
    const base = await distributions(model, undefined, prompts)
    const pa = await distributions(model, la, prompts)
    const pb = await distributions(model, lb, prompts)
    const out: Record<string, number> = { klABase: meanKl(pa, base), klBBase: meanKl(pb, base), klAB: meanKl(pa, pb) }
    for (const name of Object.keys(files)) {
      const pm = await distributions(model, files[name], prompts)
      out[`kl_A_${name}`] = meanKl(pa, pm)
      out[`kl_B_${name}`] = meanKl(pb, pm)
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Number(v.toExponential(3))]))
  } finally {
    await model.dispose()
  }
}

export async function run (): Promise<Record<string, unknown>> {
  const figures: Record<string, unknown> = {}
  const tmp = mkdtempSync(join(tmpdir(), 'baobab-bench-adapters-'))
  try {
    Object.assign(figures, await svdFigures())
    if (existsSync(SHARED)) {
      const names = readdirSync(SHARED).filter((n) => existsSync(join(SHARED, n, 'adapter_model.safetensors'))).sort()
      const adapters = new Map<string, LoraAdapter>()
      for (const n of names) adapters.set(n, await readPeftDir(join(SHARED, n)))
      const largest = [...adapters.entries()].sort((x, y) => factorBytes(y[1]) - factorBytes(x[1]) || x[0].localeCompare(y[0]))[0] as [string, LoraAdapter]
      const [lname, lad] = largest
      const bytes = factorBytes(lad)
      figures.largestAdapter = lname
      figures.largestFactorMB = r3(bytes / 1e6)
      const plain = await time(() => compressAdapter(lad, { refineIterations: 0 }))
      const refined = await time(() => compressAdapter(lad))
      const dec = await time(() => decodeBitDelta(refined.value.bytes))
      Object.assign(figures, {
        compressBaselineMeanAbsMBps: r3(mbps(bytes, plain.ms)),
        compressRefinedMBps: r3(mbps(bytes, refined.ms)),
        decompressMBps: r3(mbps(bytes, dec.ms)),
        largestRatio: r3(refined.value.ratio),
        largestRelError: r3(refined.value.relError),
        largestRelErrorBaseline: r3(plain.value.relError)
      })
      // Merge throughput: the largest adapter with its same-shape sibling (or itself).
      const sibling = [...adapters.entries()].find(([n, a]) =>
        n !== lname && factorBytes(a) === bytes && a.baseModel === lad.baseModel && a.targets.length === lad.targets.length)
      const pair = [lad, sibling?.[1] ?? lad]
      figures.mergePair = `${lname} + ${sibling?.[0] ?? lname}`
      // Dense methods (TIES, DARE) are timed on every 6th target; MB/s counts those targets' factors.
      const sampled = lad.targets.filter((_, i) => i % 6 === 0).map((t) => t.name)
      const sampledBytes = lad.targets.filter((t) => sampled.includes(t.name)).reduce((s, t) => s + 4 * (t.a.data.length + t.b.data.length), 0)
      for (const method of ['naive', 'linear', 'ties', 'dare'] as const) {
        const dense = method === 'ties' || method === 'dare'
        const m = await time(() => mergeAdapters(pair, { method, rank: 16, ...(dense ? { targets: sampled } : {}) }))
        figures[`merge_${method}_MBps`] = r3(mbps(2 * (dense ? sampledBytes : bytes), m.ms))
        figures[`merge_${method}_cos`] = m.value.retention.map((x) => r3(x.cos)).join(' / ')
      }
      const compression: unknown[] = []
      const roundTrip: unknown[] = []
      for (const [n, a] of adapters) {
        const c = compressAdapter(a)
        compression.push({ adapter: n, ratio: r3(c.ratio), relError: r3(c.relError), bytes: c.compressedBytes, fp32FactorBytes: c.fp32FactorBytes })
        const g32 = join(tmp, `${n}.f32.gguf`)
        const g16 = join(tmp, `${n}.f16.gguf`)
        const conv = convertToGguf(a)
        await writeGgufLora(conv, g32)
        await writeGgufLora(conv, g16, { dtype: 'F16' })
        roundTrip.push({
          adapter: n,
          arch: conv.arch,
          maxAbsErrorF32: maxAbsDelta(a, convertToHf(await readGgufLora(g32))),
          maxAbsErrorF16: Number(maxAbsDelta(a, convertToHf(await readGgufLora(g16))).toExponential(2))
        })
      }
      figures.compression = compression
      figures.minRatio = r3(Math.min(...compression.map((c) => (c as { ratio: number }).ratio)))
      figures.roundTrip = roundTrip
      const sets: string[][] = [
        ['tinyllama-emotion', 'tinyllama-keywords', 'tinyllama-therapist'],
        ['qwen05b-instruct-timeseries-r6', 'qwen05b-instruct-timeseries-r12'],
        ['qwen05b-instruct-llmsys-qa', 'qwen05b-instruct-math-ppo'],
        ['qwen05b-instruct-timeseries-r12', 'qwen05b-instruct-math-ppo'],
        ['qwen05b-base-hh-sft', 'qwen05b-base-hh-reward'],
        ['gpt2-tigrinya', 'gpt2-pseudo2code'],
        ['gpt2-fmi-chatbot', 'gpt2-chess']
      ].filter((s) => s.every((n) => adapters.has(n)))
      const compare: unknown[] = []
      for (const s of sets) {
        const rep = compareAdapters(s.map((n) => adapters.get(n) as LoraAdapter), { labels: s, denseTargets: 2 })
        compare.push({
          adapters: s,
          verdict: rep.verdict,
          pairs: rep.pairs.map((p) => ({ pair: `${s[p.a]} / ${s[p.b]}`, verdict: p.verdict, deltaCos: r3(p.deltaCos * 10) / 10, bOverlap: r3(p.bOverlap), bNull: r3(p.bNull), bExcess: r3(p.bExcess), aOverlap: r3(p.aOverlap), aNull: r3(p.aNull) })),
          methods: rep.methods.map((m) => ({
            method: m.method,
            targets: m.targetsUsed,
            cos: m.retention.map((x) => r3(x.cos)),
            relError: m.retention.map((x) => r3(x.relError)),
            ...(m.crossTermShare != null ? { crossTermShare: r3(m.crossTermShare) } : {})
          }))
        })
      }
      figures.compare = compare
    } else {
      figures.sharedAdapters = 'absent: adapter parts skipped'
    }
    Object.assign(figures, await functionalFigures(tmp))
    figures.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  for (const [k, v] of Object.entries(figures)) if (typeof v === 'object') console.log(k, JSON.stringify(v, null, 1))
  return figures
}
