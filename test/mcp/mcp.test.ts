/** The MCP server over stdio, driven by the official SDK client (child spawned with process.execPath). */
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { TOOL_NAMES } from '../../src/mcp/tools.ts'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

const SERVER = fileURLToPath(new URL('./fixtures/stdio-server.ts', import.meta.url))

function text (r: CallToolResult): string {
  return r.content.map(c => c.type === 'text' ? c.text : '').join('')
}

describe('MCP server over stdio', () => {
  let client: Client
  before(async () => {
    client = new Client({ name: 'baobab-test', version: '1.0.0' })
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER], stderr: 'inherit' }))
  })
  after(async () => { await client.close() })

  const call = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> =>
    await client.callTool({ name, arguments: args }) as CallToolResult

  it('lists the five tools with input schemas', async () => {
    const { tools } = await client.listTools()
    assert.deepEqual(tools.map(t => t.name).sort(), [...TOOL_NAMES].sort())
    const ask = tools.find(t => t.name === 'ask')!
    assert.deepEqual(ask.inputSchema.required, ['question'])
    assert.ok(ask.description?.includes('expert'))
  })

  it('ask gives a routed answer with the expert in structured content', async () => {
    const r = await call('ask', { question: 'My cow has a hot swollen udder and clotted milk. What is it?' })
    assert.notEqual(r.isError, true)
    assert.match(text(r), /mastitis/)
    assert.match(text(r), /Routed to veterinary/)
    const s = r.structuredContent as { expert: { name: string }, abstained: boolean, scores: unknown[], experiences: unknown[] }
    assert.equal(s.expert.name, 'veterinary')
    assert.equal(s.abstained, false)
    assert.equal(s.scores.length, 5)
    assert.equal(s.experiences.length, 1)
  })

  it('ask can force an expert; an unknown one is a tool error', async () => {
    const r = await call('ask', { question: 'How far apart should I space maize rows?', expert: 'agronomy' })
    assert.equal((r.structuredContent as { expert: { name: string } }).expert.name, 'agronomy')
    const bad = await call('ask', { question: 'x', expert: 'astrology' })
    assert.equal(bad.isError, true)
    assert.match(text(bad), /expert_not_found/)
  })

  it('route explains, and abstains on an unrelated question', async () => {
    const r = await call('route', { question: 'How do I check the pH of my soil at home?' })
    assert.equal((r.structuredContent as { expert: { name: string } }).expert.name, 'soil-science')
    const none = await call('route', { question: 'Who painted the Mona Lisa?' })
    assert.equal((none.structuredContent as { abstained: boolean }).abstained, true)
    assert.match(text(none), /^Abstained/)
  })

  it('search_experiences finds the closest lesson', async () => {
    const r = await call('search_experiences', { query: 'dry seedbed planting soil moisture', limit: 1 })
    const items = (r.structuredContent as { experiences: Array<{ domain: string }> }).experiences
    assert.equal(items.length, 1)
    assert.equal(items[0]!.domain, 'agronomy')
  })

  it('recommend_config synthesises a configuration from outcome packets', async () => {
    const r = await call('recommend_config', { task: 'crop advice', family: 'qwen2.5-0.5b', tags: ['agronomy', 'english'] })
    assert.notEqual(r.isError, true, text(r))
    assert.match(text(r), /Recommended for crop advice: .*r=8/)
    const s = r.structuredContent as { params: Record<string, unknown>, evidence: unknown[] }
    assert.equal(s.params.method, 'lora')
    assert.equal(s.evidence.length, 1)
  })

  it('library_list filters by kind and status', async () => {
    const r = await call('library_list', { kind: 'adapter', status: 'quarantined' })
    const items = (r.structuredContent as { artifacts: Array<{ title: string }> }).artifacts
    assert.deepEqual(items.map(i => i.title), ['beekeeping'])
  })

  it('bad arguments are rejected without crashing the server', async () => {
    const outcome = await call('ask', { question: 42 }).then(r => r, (err: unknown) => err)
    if (outcome instanceof Error) assert.match(outcome.message, /question|Invalid/i)
    else assert.equal((outcome as CallToolResult).isError, true)
    const tooLong = await call('route', { question: 'x'.repeat(40_000) })
    assert.equal(tooLong.isError, true)
    assert.match(text(tooLong), /context_length_exceeded/)
    const still = await call('library_list', {})
    assert.equal((still.structuredContent as { artifacts: unknown[] }).artifacts.length, 9)
  })
})
