import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { adapterMiddleware, createRuntime, llamaRuntime } from '../../src/runtime/index.ts'
import { llamaBinding } from '../../src/runtime/llama-binding.ts'
import { wrapRuntime } from '../../src/runtime/middleware.ts'
import type { LlamaModel } from 'node-llama-cpp'
import type { AdapterSpec, GenerateOptions, LlamaRuntime } from '../../src/runtime/index.ts'
import { runtimeCompliance } from '../compliance/runtime.ts'
import { BASE_MODEL, CHATML_TEMPLATE, LORA_A, LORA_B, writeLora, writeModelWithChatTemplate } from './gguf-fixtures.ts'

const small = { modelPath: BASE_MODEL, contextSize: 256, threads: 1 }
// The compliance suites make a runtime per test; they share one loaded base model.
let shared: Promise<LlamaModel> | undefined
const sharedModel = async () => { shared ??= llamaBinding('auto').then(async l => l.loadModel({ modelPath: BASE_MODEL })); return shared }
after(async () => { if (shared != null) await (await shared).dispose() })
const ask = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({
  messages: [{ role: 'user', content: 'What should I plant after the rains?' }],
  maxTokens: 8,
  temperature: 0,
  ...o
})
const A: AdapterSpec = { name: 'a', path: LORA_A }
const B: AdapterSpec = { name: 'b', path: LORA_B }

runtimeCompliance({
  name: 'llama (tiny GGUF, CPU)',
  setup: async () => ({ runtime: llamaRuntime({ ...small, poolSize: 2, model: await sharedModel() }) })
})

runtimeCompliance({
  name: 'llama with a LoRA picked by adapterMiddleware',
  setup: async () => ({
    runtime: wrapRuntime(llamaRuntime({ ...small, model: await sharedModel() }), adapterMiddleware()),
    options: { knowledge: { id: 'cid-a', name: 'a', domain: 'test', loraPath: LORA_A } }
  })
})

describe('llama runtime', () => {
  let rt: LlamaRuntime
  let dir: string
  before(async () => {
    rt = llamaRuntime({ ...small, poolSize: 3 })
    await rt.load()
    dir = await mkdtemp(join(tmpdir(), 'baobab-llama-'))
  })
  after(async () => {
    await rt.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('scale 0 gives the base output; adapters A and B each change it, differently', async () => {
    const base = await rt.doGenerate(ask())
    const zero = await rt.doGenerate(ask({ adapters: [{ ...A, scale: 0 }] }))
    const a = await rt.doGenerate(ask({ adapters: [A] }))
    const b = await rt.doGenerate(ask({ adapters: [B] }))
    assert.equal(zero.text, base.text)
    assert.notEqual(a.text, base.text)
    assert.notEqual(b.text, base.text)
    assert.notEqual(a.text, b.text)
  })

  it('next-token distributions: scale 0 equals base, adapters shift it', async () => {
    const prompt = 'The farmer planted'
    const base = await rt.nextTokenDistribution(prompt, { topK: 5 })
    const zero = await rt.nextTokenDistribution(prompt, { adapters: [{ ...A, scale: 0 }] })
    const a = await rt.nextTokenDistribution(prompt, { adapters: [A] })
    assert.equal(base.vocabSize, 32000)
    assert.equal(base.promptTokens[0], 1, 'BOS first')
    const sum = base.probabilities.reduce((s, p) => s + p, 0)
    assert.ok(Math.abs(sum - 1) < 1e-3, `sums to 1 (${sum})`)
    assert.equal(base.top.length, 5)
    assert.ok(base.top[0]!.probability >= base.top[4]!.probability)
    assert.equal(base.top[0]!.probability, base.probabilities[base.top[0]!.token])
    assert.ok(Math.abs(Math.exp(base.logProbabilities[7]!) - base.probabilities[7]!) < 1e-9)
    let maxZero = 0
    let kl = 0
    for (let i = 0; i < base.vocabSize; i++) {
      maxZero = Math.max(maxZero, Math.abs(zero.probabilities[i]! - base.probabilities[i]!))
      const p = a.probabilities[i]!
      if (p > 0) kl += p * (Math.log(p) - base.logProbabilities[i]!)
    }
    assert.ok(maxZero < 1e-7, `scale 0 matches base (max diff ${maxZero})`)
    assert.ok(kl > 1e-4, `adapter A moves the distribution (KL ${kl})`)
    // The same call again is served from the same context and gives the same numbers.
    const again = await rt.nextTokenDistribution(prompt, { adapters: [A] })
    assert.deepEqual(again.probabilities, a.probabilities)
  })

  it('switching back to a warm adapter set is a pool hit; the LRU evicts the oldest', async () => {
    const r = llamaRuntime({ ...small, poolSize: 2, model: await sharedModel() })
    try {
      assert.deepEqual(await r.prepare([A]), { hit: false })
      assert.deepEqual(await r.prepare([A]), { hit: true })
      await r.doGenerate(ask({ adapters: [B] }))
      const before = r.poolStats()
      await r.doGenerate(ask({ adapters: [A] }))
      const after = r.poolStats()
      assert.equal(after.hits, before.hits + 1)
      assert.equal(after.misses, before.misses)
      assert.equal(after.size, 2)
      await r.prepare([]) // third set: evicts B, the least recently used
      assert.equal(r.poolStats().evictions, 1)
      assert.deepEqual(await r.prepare([A]), { hit: true })
      assert.deepEqual(await r.prepare([B]), { hit: false })
    } finally {
      await r.close()
    }
  })

  it('seeded sampling repeats with the same seed and varies with another', async () => {
    const one = await rt.doGenerate(ask({ temperature: 0.9, seed: 1, maxTokens: 12 }))
    const oneAgain = await rt.doGenerate(ask({ temperature: 0.9, seed: 1, maxTokens: 12 }))
    const two = await rt.doGenerate(ask({ temperature: 0.9, seed: 2, maxTokens: 12 }))
    assert.equal(one.text, oneAgain.text)
    assert.notEqual(one.text, two.text)
  })

  it('experiences join the prompt', async () => {
    const plain = await rt.doGenerate(ask())
    const withExp = await rt.doGenerate(ask({ experiences: [{ cid: 'e1', text: 'Mulch keeps moisture in sandy soil.' }] }))
    assert.ok(withExp.usage.inputTokens > plain.usage.inputTokens + 5)
  })

  it('without adapterMiddleware a knowledge LoRA is reported, not silently applied', async () => {
    const r = await rt.doGenerate(ask({ knowledge: { id: 'x', name: 'a', domain: 'd', loraPath: LORA_A } }))
    assert.ok(r.warnings.some(w => w.includes('adapterMiddleware')))
    assert.equal(r.text, (await rt.doGenerate(ask())).text)
  })

  it('rejects bad adapters with named errors before llama.cpp sees them, and keeps working', async () => {
    const arch = join(dir, 'qwen.gguf')
    const shape = join(dir, 'shape.gguf')
    const notLora = join(dir, 'model-type.gguf')
    const junk = join(dir, 'junk.gguf')
    await writeLora(arch, { architecture: 'qwen2' })
    await writeLora(shape, { wrongInputDim: true })
    await writeLora(notLora, { generalType: 'model' })
    await writeFile(junk, 'this is not a gguf file at all')
    const cases: Array<[string, string]> = [
      [join(dir, 'missing.gguf'), 'AdapterFileNotFoundError'],
      [BASE_MODEL, 'NotALoraAdapterError'],
      [notLora, 'NotALoraAdapterError'],
      [junk, 'NotALoraAdapterError'],
      [arch, 'AdapterBaseMismatchError'],
      [shape, 'AdapterBaseMismatchError']
    ]
    for (const [path, name] of cases) {
      await assert.rejects(rt.doGenerate(ask({ adapters: [{ name: 'bad', path }] })), { name }, path)
      await assert.rejects(rt.nextTokenDistribution('x', { adapters: [{ name: 'bad', path }] }), { name }, path)
    }
    await assert.rejects(rt.doGenerate(ask({ adapters: [{ name: 'no-path' }] })), { name: 'InvalidPromptError' })
    const ok = join(dir, 'ok.gguf')
    await writeLora(ok)
    const r = await rt.doGenerate(ask({ adapters: [{ name: 'ok', path: ok }] }))
    assert.ok(r.text.length > 0)
    assert.notEqual(r.text, (await rt.doGenerate(ask())).text, 'a well-formed LoRA written here is applied')
  })

  it('names a missing or unreadable model file', async () => {
    assert.throws(() => llamaRuntime({ modelPath: join(dir, 'nope.gguf') }), { name: 'ModelFileNotFoundError' })
    assert.throws(() => createRuntime({ kind: 'llama' }), { name: 'InvalidRuntimeConfigError' })
    assert.throws(() => llamaRuntime({ ...small, poolSize: 0 }), { name: 'InvalidRuntimeConfigError' })
    const junk = join(dir, 'junk-model.gguf')
    await writeFile(junk, 'GGUF but not really')
    const truncated = join(dir, 'truncated.gguf')
    await writeFile(truncated, (await readFile(BASE_MODEL)).subarray(0, 300_000))
    for (const path of [junk, truncated]) {
      const r = llamaRuntime({ modelPath: path })
      await assert.rejects(r.doGenerate(ask()), { name: 'ModelLoadError' }, path)
      await r.close()
    }
  })

  it('rejects a prompt longer than the context', async () => {
    const r = llamaRuntime({ ...small, contextSize: 64, model: await sharedModel() })
    try {
      await assert.rejects(r.doGenerate(ask({ messages: [{ role: 'user', content: 'maize '.repeat(200) }] })), { name: 'PromptTooLongError' })
    } finally {
      await r.close()
    }
  })

  it('uses the model chat template when the GGUF has one, the plain template otherwise', async () => {
    assert.equal(await rt.chatTemplate(), 'plain')
    const path = join(dir, 'chat.gguf')
    await writeModelWithChatTemplate(path, CHATML_TEMPLATE)
    const r = llamaRuntime({ ...small, modelPath: path })
    try {
      assert.equal(await r.chatTemplate(), 'model')
      const templated = await r.doGenerate(ask())
      const plain = await rt.doGenerate(ask())
      assert.ok(templated.text.length > 0)
      assert.notEqual(templated.usage.inputTokens, plain.usage.inputTokens, 'a different prompt format')
    } finally {
      await r.close()
    }
  })
})

describe('createRuntime', () => {
  it('builds a llama runtime whose adapter middleware applies knowledge.loraPath', async () => {
    const wrapped = createRuntime({ kind: 'llama', model: BASE_MODEL, contextSize: 256, threads: 1 })
    const direct = llamaRuntime({ ...small, model: await sharedModel() })
    try {
      const knowledge = { id: 'cid-a', name: 'a', domain: 'test', loraPath: LORA_A }
      const viaKnowledge = await wrapped.doGenerate(ask({ knowledge }))
      const viaAdapters = await direct.doGenerate(ask({ adapters: [A] }))
      const base = await direct.doGenerate(ask())
      assert.equal(wrapped.provider, 'llama')
      assert.equal(viaKnowledge.text, viaAdapters.text)
      assert.notEqual(viaKnowledge.text, base.text)
      assert.deepEqual(viaKnowledge.warnings, [])
    } finally {
      await wrapped.close()
      await direct.close()
    }
  })
})
