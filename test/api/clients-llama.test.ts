/**
 * Structured output and tool calls from the llama runtime (the tiny random GGUF: its words are
 * noise, so only the grammar-enforced shape is asserted) through a real `baobab start --http`,
 * with the `openai` client, the Vercel AI SDK and LangChain.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { ChatOpenAI } from '@langchain/openai'
import { generateObject, generateText, stepCountIs, tool } from 'ai'
import OpenAI from 'openai'
import { z } from 'zod'
import { baobabMetadataExtractor } from '../../src/api/sdk-metadata.ts'
import { startBaobabServer, TINY_GGUF } from '../helpers/baobab-server.ts'
import type { BaobabServer } from '../helpers/baobab-server.ts'

const COW = 'My cow has a hot swollen udder and clotted milk. What is it?'
const weatherParams = { type: 'object', properties: { city: { type: 'string', enum: ['Nairobi', 'Lima'] } }, required: ['city'] }

describe('clients against baobab start --http (llama runtime, tiny GGUF)', () => {
  let server: BaobabServer
  let client: OpenAI
  before(async () => {
    server = await startBaobabServer({ kind: 'llama', model: TINY_GGUF })
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 })
  })
  after(async () => { await server?.close() })

  it('openai: response_format json_object returns parseable JSON once the answer finished', async () => {
    let finished = 0
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const c = await client.chat.completions.create({ model: 'baobab/auto', messages: [{ role: 'user', content: COW }], response_format: { type: 'json_object' }, max_tokens: 300, temperature: 0.8, seed })
      const choice = c.choices[0]!
      if (choice.finish_reason !== 'stop') continue // the random model can write a string past max_tokens
      finished++
      assert.equal(typeof JSON.parse(choice.message.content ?? ''), 'object', choice.message.content ?? '')
      break
    }
    assert.ok(finished > 0, 'at least one answer finished')
  })

  it('openai: a tools request with tool_choice "required" produces a tool_calls answer', async () => {
    const c = await client.chat.completions.create({
      model: 'baobab/auto',
      messages: [{ role: 'user', content: 'What is the weather where my maize grows?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: weatherParams } }],
      tool_choice: 'required',
      max_tokens: 100,
      seed: 1
    })
    const choice = c.choices[0]!
    assert.equal(choice.finish_reason, 'tool_calls')
    const call = choice.message.tool_calls?.[0]
    assert.ok(call != null && call.type === 'function')
    assert.equal(call.function.name, 'weather')
    assert.ok(['Nairobi', 'Lima'].includes((JSON.parse(call.function.arguments) as { city: string }).city))
  })

  it('Vercel AI SDK: generateText runs a tool round-trip (the second request carries the tool result)', async () => {
    const baobab = createOpenAICompatible({ name: 'baobab', baseURL: server.baseURL, metadataExtractor: baobabMetadataExtractor })
    const calls: string[] = []
    const r = await generateText({
      model: baobab('baobab/auto'),
      prompt: 'What is the weather where my maize grows?',
      tools: { weather: tool({ inputSchema: z.object({ city: z.enum(['Nairobi', 'Lima']) }), execute: async ({ city }) => { calls.push(city); return { city, tempC: 21 } } }) },
      toolChoice: 'required',
      stopWhen: stepCountIs(2),
      maxOutputTokens: 100,
      seed: 1
    })
    assert.equal(r.steps.length, 2)
    assert.equal(r.steps[0]!.toolCalls[0]?.toolName, 'weather')
    assert.deepEqual(r.steps[0]!.toolResults[0]?.output, { city: calls[0], tempC: 21 })
    assert.ok(calls.length >= 1)
    assert.ok(r.steps[1]!.providerMetadata?.baobab != null, 'the second request (with the tool result) was answered')
  })

  it('Vercel AI SDK: generateObject (json_schema grammar) returns an object of the schema', async () => {
    const baobab = createOpenAICompatible({ name: 'baobab', baseURL: server.baseURL, supportsStructuredOutputs: true, metadataExtractor: baobabMetadataExtractor })
    const r = await generateObject({ model: baobab('baobab/auto'), schema: z.object({ sick: z.boolean(), animals: z.number() }), prompt: COW, maxOutputTokens: 100, seed: 1 })
    assert.equal(typeof r.object.sick, 'boolean')
    assert.equal(typeof r.object.animals, 'number')
    assert.equal((r.providerMetadata?.baobab as { runtime?: string } | undefined)?.runtime, 'llama/llama-2-tiny-random')
  })

  it('LangChain: withStructuredOutput (function calling and json_schema) returns the schema', async () => {
    const model = new ChatOpenAI({ model: 'baobab/auto', apiKey: 'unused', configuration: { baseURL: server.baseURL }, maxRetries: 0, maxTokens: 100, temperature: 0 })
    const schema = z.object({ sick: z.boolean(), animals: z.number() })
    for (const method of ['functionCalling', 'jsonSchema'] as const) {
      const r = await model.withStructuredOutput(schema, { method }).invoke(COW)
      assert.equal(typeof r.sick, 'boolean', method)
      assert.equal(typeof r.animals, 'number', method)
    }
  })
})
