import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRuntime, retrievalRuntime } from '../../src/runtime/index.ts'
import { NO_EXPERT_TEXT } from '../../src/runtime/retrieval-runtime.ts'
import type { KnowledgeRef } from '../../src/runtime/index.ts'
import { runtimeCompliance } from '../compliance/runtime.ts'

const maize: KnowledgeRef = {
  id: 'bafy-maize',
  name: 'maize-agronomy',
  domain: 'agronomy',
  exemplars: [
    { q: 'How deep do I plant maize?', a: 'Plant maize seed 5 cm deep, 7 cm in dry sandy soil, after the first good rains.', score: 0.91 },
    { q: 'When to weed maize?', a: 'Weed at two and six weeks after emergence.', score: 0.55 },
    { q: 'Maize spacing?', a: 'Use 75 cm between rows and 25 cm within the row.', score: 0.62 },
    { q: 'Is maize a grass?' }
  ]
}
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] })

runtimeCompliance({
  name: 'retrieval',
  setup: async () => ({ runtime: retrievalRuntime(), options: { knowledge: maize } })
})

describe('retrieval runtime', () => {
  it('answers with the best exemplar answer, labelled as retrieved', async () => {
    const r = await retrievalRuntime().doGenerate({ ...ask('how deep should maize go in sand?'), knowledge: maize })
    assert.equal(r.retrieved, true)
    assert.ok(r.text.startsWith('[retrieved from maize-agronomy (agronomy)] Plant maize seed 5 cm deep'), r.text)
    // Related answers follow in score order: spacing (0.62) before weeding (0.55).
    assert.ok(r.text.indexOf('75 cm') < r.text.indexOf('six weeks'), r.text)
    assert.ok(r.text.includes('75 cm') && r.text.includes('six weeks'))
  })

  it('keeps the router order when exemplars carry no scores', async () => {
    const k: KnowledgeRef = { id: 'x', name: 'beans', domain: 'agronomy', exemplars: [{ q: 'a', a: 'first answer' }, { q: 'b', a: 'second answer' }] }
    const r = await retrievalRuntime({ maxRelated: 0 }).doGenerate({ ...ask('q'), knowledge: k })
    assert.equal(r.text, '[retrieved from beans (agronomy)] first answer')
  })

  it('adds experiences, also labelled', async () => {
    const r = await retrievalRuntime().doGenerate({
      ...ask('how deep?'),
      knowledge: maize,
      experiences: [{ cid: 'e1', text: 'Farmers in sandy plots reported better emergence at 7 cm.' }]
    })
    assert.match(r.text, /\[retrieved experiences\]\n- Farmers in sandy plots/)
  })

  it('says plainly when no expert covers the question', async () => {
    const r = await retrievalRuntime().doGenerate(ask('Who won the 1998 world cup?'))
    assert.equal(r.text, NO_EXPERT_TEXT)
    assert.notEqual(r.retrieved, true)
    assert.ok(r.warnings.includes('no expert covers this question'))
  })

  it('an expert without stored answers lists its closest questions', async () => {
    const k: KnowledgeRef = { id: 'y', name: 'soil', domain: 'soil', exemplars: [{ q: 'What is soil pH?' }] }
    const r = await retrievalRuntime().doGenerate({ ...ask('ph?'), knowledge: k })
    assert.equal(r.retrieved, true)
    assert.match(r.text, /holds no stored answers[\s\S]*- What is soil pH\?/)
  })

  it('returns a long stored answer whole unless maxTokens asks for less', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ')
    const k: KnowledgeRef = { id: 'z', name: 'long', domain: 'd', exemplars: [{ q: 'q', a: long }] }
    const whole = await retrievalRuntime().doGenerate({ ...ask('q'), knowledge: k })
    assert.ok(whole.text.endsWith('w399'))
    assert.equal(whole.finishReason, 'stop')
    const cut = await retrievalRuntime().doGenerate({ ...ask('q'), knowledge: k, maxTokens: 10 })
    assert.equal(cut.finishReason, 'length')
    assert.equal(cut.usage.outputTokens, 10)
  })

  it('warns that adapters are ignored', async () => {
    const r = await createRuntime({ kind: 'retrieval' }).doGenerate({ ...ask('how deep?'), knowledge: { ...maize, loraPath: '/x.gguf' } })
    assert.ok(r.warnings.some(w => w.includes('adapters ignored')), r.warnings.join('; '))
    assert.equal(r.retrieved, true)
  })
})

describe('retrieval runtime: tools, stop and response_format', () => {
  it('answers a conversation with a tool call and its result with text, never a tool call', async () => {
    const r = await retrievalRuntime().doGenerate({
      messages: [
        { role: 'user', content: 'how deep should maize go?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'soil', arguments: '{}' }] },
        { role: 'tool', content: 'sandy', toolCallId: 'c1' }
      ],
      knowledge: maize,
      tools: [{ name: 'soil' }],
      toolChoice: 'required'
    })
    assert.equal(r.toolCalls, undefined)
    assert.equal(r.finishReason, 'stop')
    assert.match(r.text, /Plant maize seed 5 cm deep/)
    assert.ok(r.warnings.some(w => /tools not called/.test(w)))
  })

  it('cuts its text before the first stop sequence, streamed word by word too', async () => {
    const full = await retrievalRuntime().doGenerate({ ...ask('how deep?'), knowledge: maize })
    const r = await retrievalRuntime().doGenerate({ ...ask('how deep?'), knowledge: maize, stop: ['cm', 'Plant'] })
    assert.equal(r.finishReason, 'stop')
    assert.equal(r.text, '[retrieved from maize-agronomy (agronomy)] ')
    assert.ok(full.text.startsWith(r.text))
    const cut = await retrievalRuntime().doGenerate({ ...ask('how deep?'), knowledge: maize, stop: ['5 cm'] })
    assert.ok(cut.text.endsWith('seed '), cut.text)
  })

  it('refuses JSON output with UnsupportedRequestError rather than answer non-JSON', async () => {
    for (const responseFormat of [{ type: 'json_object' as const }, { type: 'json_schema' as const, schema: { type: 'object' } }]) {
      await assert.rejects(retrievalRuntime().doGenerate({ ...ask('how deep?'), knowledge: maize, responseFormat }), { name: 'UnsupportedRequestError', param: 'response_format' })
    }
    const text = await retrievalRuntime().doGenerate({ ...ask('how deep?'), knowledge: maize, responseFormat: { type: 'text' } })
    assert.equal(text.retrieved, true)
  })
})
