import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runtimeCompliance } from '../compliance/runtime.ts'
import { scriptedRuntime } from '../helpers/scripted-runtime.ts'

runtimeCompliance({
  name: 'scripted (test double)',
  setup: async () => ({ runtime: scriptedRuntime({ respond: (messages) => `You asked: ${messages.at(-1)?.content ?? ''} and here is a long enough answer for the tests.` }) })
})

describe('scripted runtime', () => {
  it('answers with the function of (messages, options) and records calls', async () => {
    const rt = scriptedRuntime({ respond: (messages, options) => `${messages.length} messages, expert ${options.knowledge?.name ?? 'none'}` })
    const r = await rt.doGenerate({
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
      knowledge: { id: 'c1', name: 'maize', domain: 'agronomy' }
    })
    assert.equal(r.text, '2 messages, expert maize')
    assert.equal(rt.calls.length, 1)
    assert.equal(rt.calls[0]?.method, 'doGenerate')
    assert.equal(rt.lastCall().knowledge?.name, 'maize')
    assert.equal(rt.calls[0]?.response, '2 messages, expert maize')
  })

  it('plays a list of answers in turn, repeating the last', async () => {
    const rt = scriptedRuntime({ respond: ['one', 'two'] })
    const texts = []
    for (let i = 0; i < 3; i++) texts.push((await rt.doGenerate({ messages: [{ role: 'user', content: 'q' }] })).text)
    assert.deepEqual(texts, ['one', 'two', 'two'])
  })

  it('a throwing script rejects the call', async () => {
    const rt = scriptedRuntime({ respond: () => { throw new Error('script failed') } })
    await assert.rejects(rt.doGenerate({ messages: [{ role: 'user', content: 'q' }] }), /script failed/)
  })

  it('counts words as tokens and cuts at maxTokens', async () => {
    const rt = scriptedRuntime({ respond: 'a b c d e' })
    const r = await rt.doGenerate({ messages: [{ role: 'user', content: 'q' }], maxTokens: 3 })
    assert.equal(r.text, 'a b c ')
    assert.equal(r.finishReason, 'length')
    assert.deepEqual(r.usage, { inputTokens: 1, outputTokens: 3 })
  })
})
