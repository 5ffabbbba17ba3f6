/**
 * The Vercel AI SDK (`@ai-sdk/openai-compatible`) and LangChain's `ChatOpenAI` against a real
 * `baobab start --http` (retrieval runtime): tool histories, streaming, embeddings, and the
 * `baobab` routing object where each SDK exposes provider data.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages'
import { ChatOpenAI } from '@langchain/openai'
import { embedMany, generateText, streamText, tool } from 'ai'
import { z } from 'zod'
import { baobabMetadataExtractor } from '../../src/api/sdk-metadata.ts'
import { startBaobabServer } from '../helpers/baobab-server.ts'
import type { BaobabExtra } from '../../src/api/openai-routes.ts'
import type { BaobabServer } from '../helpers/baobab-server.ts'

const COW = 'My cow has a hot swollen udder and clotted milk. What is it?'
const herdRecord = tool({ description: 'Looks up an animal', inputSchema: z.object({ tag: z.string() }), execute: async ({ tag }) => ({ tag, calvings: 2 }) })

describe('Vercel AI SDK and LangChain against baobab start --http (retrieval runtime)', () => {
  let server: BaobabServer
  let baobab: ReturnType<typeof createOpenAICompatible>
  before(async () => {
    server = await startBaobabServer()
    baobab = createOpenAICompatible({ name: 'baobab', baseURL: server.baseURL, includeUsage: true, metadataExtractor: baobabMetadataExtractor })
  })
  after(async () => { await server?.close() })

  it('generateText with a tool call and its result in the history answers, routing in providerMetadata.baobab', async () => {
    const r = await generateText({
      model: baobab('baobab/auto'),
      tools: { herdRecord },
      messages: [
        { role: 'user', content: COW },
        { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'herdRecord', input: { tag: 'K-17' } }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'herdRecord', output: { type: 'json', value: { tag: 'K-17', calvings: 2 } } }] }
      ]
    })
    assert.match(r.text, /mastitis/)
    assert.equal(r.toolCalls.length, 0)
    assert.equal(r.finishReason, 'stop')
    const extra = r.providerMetadata?.baobab as unknown as BaobabExtra
    assert.deepEqual(extra.expert, { name: 'veterinary-card', domain: 'veterinary' })
    assert.deepEqual(extra.turns, [0])
  })

  it('streamText: the text arrives in pieces, usage and providerMetadata.baobab at the end', async () => {
    const r = streamText({ model: baobab('baobab/auto'), prompt: COW })
    let pieces = 0
    let text = ''
    for await (const delta of r.textStream) {
      pieces++
      text += delta
    }
    assert.ok(pieces > 3)
    assert.match(text, /mastitis/)
    assert.ok(((await r.usage).outputTokens ?? 0) > 0)
    const extra = (await r.providerMetadata)?.baobab as unknown as BaobabExtra & { retrieved: boolean }
    assert.equal(extra.expert?.domain, 'veterinary')
    assert.equal(extra.retrieved, true, 'the last chunk\'s fields are merged in')
  })

  it('embedMany: dense 384-dimensional vectors', async () => {
    const r = await embedMany({ model: baobab.embeddingModel('baobab/auto'), values: ['goat coughing', 'maize planting depth'] })
    assert.equal(r.embeddings.length, 2)
    assert.equal(r.embeddings[0]!.length, 384)
    assert.ok((r.usage.tokens ?? 0) > 0)
  })

  it('LangChain: bindTools round-trip history (AIMessage tool_calls + ToolMessage) answers; baobab in the raw response', async () => {
    const model = new ChatOpenAI({ model: 'baobab/auto', apiKey: 'unused', configuration: { baseURL: server.baseURL }, maxRetries: 0, __includeRawResponse: true })
    const withTools = model.bindTools([{ type: 'function', function: { name: 'herd_record', description: 'Looks up an animal', parameters: { type: 'object', properties: { tag: { type: 'string' } }, required: ['tag'] } } }])
    const reply = await withTools.invoke([
      new HumanMessage(COW),
      new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'herd_record', args: { tag: 'K-17' } }] }),
      new ToolMessage({ tool_call_id: 'call_1', content: '{"tag":"K-17","calvings":2}' })
    ])
    assert.match(String(reply.content), /mastitis/)
    assert.equal(reply.tool_calls?.length ?? 0, 0)
    const raw = reply.additional_kwargs.__raw_response as { baobab?: BaobabExtra } | undefined
    assert.equal(raw?.baobab?.expert?.domain, 'veterinary')
  })
})
