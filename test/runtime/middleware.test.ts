import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { adapterMiddleware } from '../../src/runtime/index.ts'
import { wrapRuntime } from '../../src/runtime/middleware.ts'
import type { GenerateOptions } from '../../src/runtime/index.ts'
import { scriptedRuntime } from '../helpers/scripted-runtime.ts'

const q: GenerateOptions = { messages: [{ role: 'user', content: 'q' }] }
const maize = { id: 'cid', name: 'maize', domain: 'agronomy', loraPath: '/lora/maize.gguf', scale: 0.7 }

describe('adapter middleware', () => {
  it('turns knowledge.loraPath into adapters for both generate and stream', async () => {
    const inner = scriptedRuntime({ respond: 'ok' })
    const rt = wrapRuntime(inner, adapterMiddleware())
    await rt.doGenerate({ ...q, knowledge: maize })
    assert.deepEqual(inner.lastCall().adapters, [{ name: 'maize', path: '/lora/maize.gguf', scale: 0.7 }])
    for await (const _ of await rt.doStream({ ...q, knowledge: { ...maize, scale: undefined } }));
    assert.deepEqual(inner.lastCall().adapters, [{ name: 'maize', path: '/lora/maize.gguf', scale: 1 }])
    assert.equal(inner.calls[1]?.method, 'doStream')
  })

  it('an expert without weights, or no knowledge, means the base model', async () => {
    const inner = scriptedRuntime({ respond: 'ok' })
    const rt = wrapRuntime(inner, adapterMiddleware())
    await rt.doGenerate({ ...q, knowledge: { id: 'c', name: 'card', domain: 'd' } })
    assert.deepEqual(inner.lastCall().adapters, [])
    await rt.doGenerate(q)
    assert.equal(inner.lastCall().adapters, undefined)
  })

  it('leaves adapters the caller chose alone, and takes a custom select', async () => {
    const inner = scriptedRuntime({ respond: 'ok' })
    await wrapRuntime(inner, adapterMiddleware()).doGenerate({ ...q, knowledge: maize, adapters: [{ name: 'other', path: '/o.gguf' }] })
    assert.deepEqual(inner.lastCall().adapters, [{ name: 'other', path: '/o.gguf' }])
    const custom = wrapRuntime(inner, adapterMiddleware({ select: (k) => [{ name: k.name, id: 3 }] }))
    await custom.doGenerate({ ...q, knowledge: maize })
    assert.deepEqual(inner.lastCall().adapters, [{ name: 'maize', id: 3 }])
  })

  it('runs middleware in order and passes identity and close through', async () => {
    const inner = scriptedRuntime({ respond: (m) => m.map(x => x.content).join('|'), provider: 'p', modelId: 'm' })
    const rt = wrapRuntime(inner,
      { transformOptions: (o) => ({ ...o, messages: [...o.messages, { role: 'user', content: 'first' }] }) },
      { transformOptions: async (o) => ({ ...o, messages: [...o.messages, { role: 'user', content: 'second' }] }) })
    assert.equal((await rt.doGenerate(q)).text, 'q|first|second')
    assert.equal(rt.provider, 'p')
    assert.equal(rt.modelId, 'm')
    await rt.close()
    assert.equal(inner.closeCount, 1)
  })
})
