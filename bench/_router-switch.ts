/**
 * Part of the router suite (bench/router.ts), not a suite of its own.
 * Expert switch with the llama runtime: how long it takes to have a context ready for another
 * expert's LoRA when that context is warm in the pool (a hit), side by side with creating the
 * context cold (pool of one, so every switch is a miss). Also the first-token latency of a
 * one-token answer after each kind of switch. Tiny random llama GGUF + its two LoRA files, CPU,
 * one thread.
 */
import { fileURLToPath } from 'node:url'
import { llamaRuntime } from '../src/runtime/index.ts'
import type { AdapterSpec, LlamaRuntime } from '../src/runtime/index.ts'

const fixture = (p: string): string => fileURLToPath(new URL(`../test/fixtures/${p}`, import.meta.url))
const MODEL = fixture('llama-2-tiny-random.gguf')
const EXPERTS: AdapterSpec[][] = [
  [{ name: 'a', path: fixture('tiny-lora/llama-2-tiny-random.lora-a.f32.gguf') }],
  [{ name: 'b', path: fixture('tiny-lora/llama-2-tiny-random.lora-b.f16.gguf') }],
  []
]

function quantile (xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
}

async function timeSwitches (rt: LlamaRuntime, n: number): Promise<{ ms: number[], hits: number }> {
  const ms: number[] = []
  let hits = 0
  for (let i = 0; i < n; i++) {
    const set = EXPERTS[i % EXPERTS.length] ?? []
    const t = performance.now()
    const { hit } = await rt.prepare(set)
    ms.push(performance.now() - t)
    if (hit) hits++
  }
  return { ms, hits }
}

async function timeFirstToken (rt: LlamaRuntime, n: number): Promise<number[]> {
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await rt.doGenerate({
      messages: [{ role: 'user', content: `Question ${i}: when should maize be planted in sandy soil?` }],
      adapters: EXPERTS[i % EXPERTS.length] ?? [],
      maxTokens: 1,
      temperature: 0
    })
    ms.push(performance.now() - t)
  }
  return ms
}

export async function run (): Promise<Record<string, unknown>> {
  const common = { modelPath: MODEL, contextSize: 512, threads: 1 }
  const warm = llamaRuntime({ ...common, poolSize: EXPERTS.length })
  const cold = llamaRuntime({ ...common, poolSize: 1 })
  try {
    await warm.load()
    await cold.load()
    // Warm-up: every expert's context in the warm pool; one miss in the cold one.
    await timeSwitches(warm, EXPERTS.length)
    await timeSwitches(cold, 2)
    await timeFirstToken(warm, EXPERTS.length)
    await timeFirstToken(cold, 2)

    const warmSw = await timeSwitches(warm, 300)
    const coldSw = await timeSwitches(cold, 60)
    const warmFt = await timeFirstToken(warm, 60)
    const coldFt = await timeFirstToken(cold, 60)

    const figures = {
      switchWarmP50Ms: quantile(warmSw.ms, 0.5),
      switchWarmP95Ms: quantile(warmSw.ms, 0.95),
      switchColdP50Ms: quantile(coldSw.ms, 0.5),
      switchColdP95Ms: quantile(coldSw.ms, 0.95),
      switchWarmHitRate: warmSw.hits / warmSw.ms.length,
      switchColdHitRate: coldSw.hits / coldSw.ms.length,
      firstTokenWarmP50Ms: quantile(warmFt, 0.5),
      firstTokenColdP50Ms: quantile(coldFt, 0.5),
      switchSpeedup: quantile(coldSw.ms, 0.5) / quantile(warmSw.ms, 0.5),
      warmSwitches: warmSw.ms.length,
      coldSwitches: coldSw.ms.length,
      poolStatsWarm: warm.poolStats(),
      poolStatsCold: cold.poolStats(),
      model: 'llama-2-tiny-random.gguf (1.7 MB, random weights) + 2 LoRA GGUFs, CPU, 1 thread, context 512'
    }
    console.log('expert switch (llama runtime)')
    console.log(`  warm (pool hit)       p50 ${figures.switchWarmP50Ms.toFixed(3)} ms  p95 ${figures.switchWarmP95Ms.toFixed(3)} ms  hit rate ${figures.switchWarmHitRate}`)
    console.log(`  cold (new context)    p50 ${figures.switchColdP50Ms.toFixed(3)} ms  p95 ${figures.switchColdP95Ms.toFixed(3)} ms  hit rate ${figures.switchColdHitRate}`)
    console.log(`  first token warm/cold p50 ${figures.firstTokenWarmP50Ms.toFixed(2)} / ${figures.firstTokenColdP50Ms.toFixed(2)} ms`)
    return figures
  } finally {
    await warm.close()
    await cold.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2))
}
