/** `baobab mcp` end to end: the real CLI over a real home, driven by the SDK client over stdio. */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { createArtifact, loadOrCreateIdentity } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const DATA = new URL('../../data/communities/', import.meta.url)

describe('baobab mcp (CLI, stdio)', () => {
  const home = mkdtempSync(join(tmpdir(), 'baobab-mcp-'))
  let client: Client
  before(async () => {
    const id = await loadOrCreateIdentity(home)
    const lib = openLibrary({ home })
    for (const domain of ['veterinary', 'irrigation', 'agronomy']) {
      const exemplars = readFileSync(new URL(`${domain}.jsonl`, DATA), 'utf8').trim().split('\n').map(l => JSON.parse(l) as { q: string, a: string })
      const card = await createArtifact('adapter', {
        name: domain, domain, description: domain, base: { family: 'any', model: '' }, format: 'card', rank: 0, alpha: 0, targets: [], bytes: 0, chunks: [], exemplars, license: 'CC0-1.0'
      }, id.privateKey)
      lib.put(card, { status: 'trusted' })
    }
    lib.close()
    client = new Client({ name: 'baobab-cli-test', version: '1.0.0' })
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [MAIN, '--home', home, 'mcp'], stderr: 'inherit' }))
  })
  after(async () => {
    await client?.close()
    rmSync(home, { recursive: true, force: true })
  })

  it('answers with the routed expert from the node\'s own library', async () => {
    const r = await client.callTool({ name: 'ask', arguments: { question: 'How often should I deworm my goats?' } }) as CallToolResult
    assert.notEqual(r.isError, true)
    const s = r.structuredContent as { expert: { name: string } | null, model: string }
    assert.equal(s.expert?.name, 'veterinary')
    assert.match(s.model, /^retrieval\//)
    const list = await client.callTool({ name: 'library_list', arguments: { kind: 'adapter' } }) as CallToolResult
    assert.equal((list.structuredContent as { artifacts: unknown[] }).artifacts.length, 3)
  })
})
