/**
 * Functional check on the tiny GGUF model (random weights, real llama.cpp): what a merged
 * adapter does to next-token distributions compared with each source adapter.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { getLlama } from 'node-llama-cpp'
import type { LlamaModel } from 'node-llama-cpp'
import { convertToGguf, meanKl, mergeAdapters, readGgufLora, writeGgufLora } from '../../src/adapters/index.ts'
import { klDivergence } from '../../src/adapters/kl.ts'
import { tempDir, TINY_LORA_A, TINY_LORA_B, TINY_MODEL } from './helpers.ts'

const PROMPTS = ['The capital of France is', 'Once upon a time', 'def fibonacci(n):', '1, 2, 3, 4,']

async function distributions (model: LlamaModel, lora: string | undefined): Promise<Array<Map<number, number>>> {
  const ctx = await model.createContext({ contextSize: 128, threads: 1, ...(lora != null ? { lora: { adapters: [{ filePath: lora, scale: 1 }] } } : {}) })
  try {
    const out: Array<Map<number, number>> = []
    const seq = ctx.getSequence()
    for (const prompt of PROMPTS) {
      await seq.clearHistory()
      const toks = model.tokenize(prompt)
      const res = await seq.controlledEvaluate(toks.map((tk, i) => (i === toks.length - 1
        ? [tk, { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } }]
        : tk)))
      const p = res.at(-1)?.next.probabilities
      assert.ok(p != null && p.size > 1000, 'full next-token distribution')
      out.push(p)
    }
    return out
  } finally {
    await ctx.dispose()
  }
}

test('KL divergence math', () => {
  assert.equal(klDivergence([0.5, 0.5], [0.5, 0.5]), 0)
  assert.ok(Math.abs(klDivergence([0.9, 0.1], [0.5, 0.5]) - (0.9 * Math.log(1.8) + 0.1 * Math.log(0.2))) < 1e-12)
  assert.ok(Math.abs(klDivergence(new Map([[3, 1]]), new Map([[3, 0.25]])) - Math.log(4)) < 1e-12)
  assert.ok(Number.isFinite(klDivergence([1, 0], [0, 1])))
  assert.ok(Math.abs(meanKl([[1, 0], [0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]]) - Math.log(2) / 2) < 1e-12)
})

test('merged adapters on the tiny model: KL to each source vs routing to it', async (t) => {
  const dir = await tempDir(t)
  const a = await readGgufLora(TINY_LORA_A)
  const b = await readGgufLora(TINY_LORA_B)
  const files: Record<string, string> = {}
  for (const [name, res] of [
    ['identity', mergeAdapters([a, b], { method: 'linear', weights: [1, 0], rank: 4 })],
    ['linear', mergeAdapters([a, b], { method: 'linear', rank: 8 })],
    ['naive', mergeAdapters([a, b], { method: 'naive' })]
  ] as const) {
    files[name] = join(dir, `${name}.gguf`)
    await writeGgufLora(convertToGguf(res.adapter), files[name])
  }
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never })
  const model = await llama.loadModel({ modelPath: TINY_MODEL })
  t.after(async () => { await model.dispose() })
  const base = await distributions(model, undefined)
  const pa = await distributions(model, TINY_LORA_A)
  const pb = await distributions(model, TINY_LORA_B)
  const ident = await distributions(model, files.identity)
  const lin = await distributions(model, files.linear)
  const naive = await distributions(model, files.naive)
  const fig = {
    'KL(a‖base)': meanKl(pa, base),
    'KL(b‖base)': meanKl(pb, base),
    'KL(a‖b)': meanKl(pa, pb),
    'KL(a‖merge w=1,0)': meanKl(pa, ident),
    'KL(a‖linear)': meanKl(pa, lin),
    'KL(b‖linear)': meanKl(pb, lin),
    'KL(a‖naive)': meanKl(pa, naive),
    'KL(b‖naive)': meanKl(pb, naive)
  }
  console.log(Object.entries(fig).map(([k, v]) => `${k} = ${v.toExponential(3)}`).join(', '))
  assert.ok(fig['KL(a‖base)'] > 1e-4 && fig['KL(b‖base)'] > 1e-4, 'each adapter changes the model')
  assert.ok(fig['KL(a‖merge w=1,0)'] < fig['KL(a‖base)'] * 1e-3, 'a merge that keeps only a behaves as a')
  assert.ok(fig['KL(a‖linear)'] > fig['KL(a‖merge w=1,0)'], 'averaging in b moves away from a (routing to a has KL 0)')
})
