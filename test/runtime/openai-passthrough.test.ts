/** The openai runtime passes tools, tool_choice, response_format, stop and tool histories through, and reads tool calls back. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openaiRuntime } from '../../src/runtime/index.ts'
import { collectStream } from '../../src/runtime/part-stream.ts'
import { startOpenAiTestServer } from './openai-test-server.ts'
import type { GenerateOptions } from '../../src/runtime/index.ts'
import type { OpenAiTestServer } from './openai-test-server.ts'

const tools = [{ name: 'weather', description: 'Weather at a place', parameters: { type: 'object', properties: { q: { type: 'string' } } } }]
const history: GenerateOptions['messages'] = [
  { role: 'user', content: 'Rain tomorrow in Kisumu?' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"q":"Kisumu"}' }] },
  { role: 'tool', content: '{"rain":true}', toolCallId: 'call_1', name: 'weather' },
  { role: 'user', content: 'And the day after?' }
]

describe('openai runtime: tools, structured output and stop pass through', () => {
  let server: OpenAiTestServer
  before(async () => { server = await startOpenAiTestServer() })
  after(async () => { await server.close() })
  const rt = () => openaiRuntime({ baseUrl: server.baseUrl, model: 'base-model', maxRetries: 0 })

  it('sends tool histories, tools, tool_choice, response_format and stop in OpenAI wire form', async () => {
    await rt().doGenerate({ messages: history, tools, toolChoice: 'auto', responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object' } }, stop: ['END'] })
    const body = server.requests.at(-1)!.body
    const messages = body.messages as Array<Record<string, unknown>>
    assert.deepEqual(messages[1], { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"q":"Kisumu"}' } }] })
    assert.deepEqual(messages[2], { role: 'tool', tool_call_id: 'call_1', content: '{"rain":true}', name: 'weather' })
    assert.deepEqual(body.tools, [{ type: 'function', function: tools[0] }])
    assert.equal(body.tool_choice, 'auto')
    assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } })
    assert.deepEqual(body.stop, ['END'])
  })

  it('reads the server\'s tool call, whole and streamed in pieces', async () => {
    const whole = await rt().doGenerate({ messages: history, tools, toolChoice: { name: 'weather' } })
    assert.equal(whole.finishReason, 'tool-calls')
    assert.deepEqual(whole.toolCalls, [{ id: 'call_x', name: 'weather', arguments: '{"q":"And the day after?"}' }])
    assert.deepEqual(server.requests.at(-1)!.body.tool_choice, { type: 'function', function: { name: 'weather' } })
    const streamed = await collectStream(await rt().doStream({ messages: history, tools, toolChoice: 'required' }))
    assert.equal(streamed.finishReason, 'tool-calls')
    assert.deepEqual(streamed.toolCalls, whole.toolCalls)
    assert.equal(streamed.text, '')
  })
})
