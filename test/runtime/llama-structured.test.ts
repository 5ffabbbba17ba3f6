/** Grammar-constrained answers from the llama runtime (tiny random GGUF: only the shape is asserted). */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { llamaRuntime } from '../../src/runtime/index.ts'
import { isCompleteJson } from '../../src/runtime/llama-structured.ts'

const TINY = new URL('../fixtures/llama-2-tiny-random.gguf', import.meta.url).pathname
const ask = { messages: [{ role: 'user' as const, content: 'Is the hen sick?' }], maxTokens: 120, seed: 1 }

describe('llama runtime: structured output, tool calls, stop', () => {
  const rt = llamaRuntime({ modelPath: TINY })
  after(async () => { await rt.close() })

  it('json_schema: the answer is JSON of the schema and stops when the value is complete', async () => {
    const r = await rt.doGenerate({ ...ask, responseFormat: { type: 'json_schema', schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { sick: { type: 'boolean' }, eggs: { type: 'integer' } }, required: ['sick', 'eggs'], additionalProperties: false } } })
    assert.equal(r.finishReason, 'stop')
    const v = JSON.parse(r.text) as { sick: unknown, eggs: unknown }
    assert.equal(typeof v.sick, 'boolean')
    assert.equal(typeof v.eggs, 'number')
    assert.ok(r.usage.outputTokens < 120)
  })

  it('tool_choice naming a function: a tool-calls answer with arguments of its schema, streamed as a part', async () => {
    const tools = [{ name: 'vet', parameters: { type: 'object', properties: { urgent: { type: 'boolean' } }, required: ['urgent'] } }, { name: 'shop' }]
    const r = await rt.doGenerate({ ...ask, tools, toolChoice: { name: 'vet' } })
    assert.equal(r.finishReason, 'tool-calls')
    assert.equal(r.text, '')
    assert.equal(r.toolCalls?.length, 1)
    assert.equal(r.toolCalls![0]!.name, 'vet')
    assert.equal(typeof (JSON.parse(r.toolCalls![0]!.arguments) as { urgent: unknown }).urgent, 'boolean')
    await assert.rejects(rt.doGenerate({ ...ask, tools, toolChoice: { name: 'fly' } }), { name: 'UnsupportedRequestError', param: 'tool_choice' })
  })

  it('tool_choice auto answers with text and says how to get a call', async () => {
    const r = await rt.doGenerate({ ...ask, maxTokens: 5, tools: [{ name: 'vet' }], toolChoice: 'auto' })
    assert.equal(r.toolCalls, undefined)
    assert.ok(r.warnings.some(w => /tool_choice is "required"/.test(w)))
  })

  it('stop strings end the answer before them', async () => {
    const free = await rt.doGenerate({ ...ask, maxTokens: 40 })
    const word = free.text.slice(10, 13)
    assert.ok(word.trim().length > 0, free.text)
    const r = await rt.doGenerate({ ...ask, maxTokens: 40, stop: [word] })
    assert.equal(r.finishReason, 'stop')
    assert.ok(!r.text.includes(word))
    assert.ok(free.text.startsWith(r.text))
  })

  it('isCompleteJson: only whole values', () => {
    assert.equal(isCompleteJson('{"a": [1, 2]} '), true)
    assert.equal(isCompleteJson('{"a": [1, 2]'), false)
    assert.equal(isCompleteJson('{"a": "}"'), false)
  })
})
