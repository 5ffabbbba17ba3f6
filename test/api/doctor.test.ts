/** `baobab doctor`: each check against real homes, files, ports and sockets on 127.0.0.1. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { createArtifact, loadOrCreateIdentity } from '../../src/artifacts/index.ts'
import { CID } from 'multiformats/cid'
import { checkModels, checkNode, checkPeers, checkPorts, formatCheck, runChecks } from '../../src/cli/commands/doctor.ts'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { openLibrary } from '../../src/library/index.ts'
import type { Server } from 'node:net'
import type { Check } from '../../src/cli/commands/doctor.ts'
import type { NodeConfig } from '../../src/config.ts'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const GGUF = fileURLToPath(new URL('../fixtures/llama-2-tiny-random.gguf', import.meta.url))
const homes: string[] = []
after(() => { for (const h of homes) rmSync(h, { recursive: true, force: true }) })

function tempHome (): string {
  const h = mkdtempSync(join(tmpdir(), 'baobab-doctor-'))
  homes.push(h)
  return h
}

function config (patch: Partial<NodeConfig>): NodeConfig {
  return { ...structuredClone(DEFAULT_CONFIG), ...patch }
}

async function listening (): Promise<{ server: Server, port: number }> {
  const server = createServer((s) => { s.end() })
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', () => { resolve() }) })
  return { server, port: (server.address() as { port: number }).port }
}

const byName = (checks: Check[], name: string): Check => checks.find(c => c.name === name)!

describe('baobab doctor', () => {
  it('node version', () => {
    assert.equal(checkNode('24.1.0').status, 'ok')
    assert.equal(checkNode('22.18.0').status, 'ok')
    assert.equal(checkNode('22.17.9').status, 'fail')
    assert.match(checkNode('20.11.0').fix ?? '', /node_modules\/\.bin\/node/)
  })

  it('an empty home: key fails with the init fix, library warns; the CLI exits 1 with --json', () => {
    const home = tempHome()
    const r = spawnSync(process.execPath, [MAIN, '--home', home, 'doctor', '--json'], { encoding: 'utf8' })
    assert.equal(r.status, 1, r.stderr)
    const out = JSON.parse(r.stdout) as { ok: boolean, checks: Check[] }
    assert.equal(out.ok, false)
    assert.equal(byName(out.checks, 'key').status, 'fail')
    assert.match(byName(out.checks, 'key').fix!, /init/)
    assert.equal(byName(out.checks, 'library').status, 'warn')
  })

  it('a healthy home passes; a missing chunk and a corrupt database fail', async () => {
    const home = tempHome()
    const id = await loadOrCreateIdentity(home)
    const lib = openLibrary({ home })
    const chunk = lib.blobs.put(new TextEncoder().encode('lora weights'))
    const adapter = await createArtifact('adapter', {
      name: 'maize', domain: 'agronomy', description: '', base: { family: 'llama', model: 'tiny' }, format: 'gguf-lora', rank: 4, alpha: 8,
      targets: ['attn_q'], bytes: 12, chunks: [CID.parse(chunk)], exemplars: [{ q: 'When to plant maize?' }], license: 'MIT'
    }, id.privateKey)
    lib.put(adapter, { status: 'trusted' })
    const blobPath = lib.blobs.path(chunk)
    lib.close()
    let checks = await runChecks(home)
    assert.equal(byName(checks, 'library').status, 'ok', byName(checks, 'library').detail)
    assert.match(byName(checks, 'library').detail, /1 artifacts, 1 chunks present/)
    assert.equal(byName(checks, 'key').status, 'ok')
    unlinkSync(blobPath)
    checks = await runChecks(home)
    assert.equal(byName(checks, 'library').status, 'fail')
    assert.match(byName(checks, 'library').detail, /1 adapter chunk\(s\) missing/)
    writeFileSync(join(home, 'library.db'), Buffer.alloc(8192, 0x41))
    for (const f of ['library.db-wal', 'library.db-shm']) rmSync(join(home, f), { force: true })
    checks = await runChecks(home)
    assert.equal(byName(checks, 'library').status, 'fail')
  })

  it('model files: a real GGUF passes; missing or non-GGUF files fail with a fix', () => {
    const dir = tempHome()
    assert.equal(checkModels(config({ runtime: { kind: 'llama', model: GGUF } }))[0]!.status, 'ok')
    const missing = checkModels(config({ runtime: { kind: 'llama', model: join(dir, 'nope.gguf') } }))[0]!
    assert.equal(missing.status, 'fail')
    assert.match(missing.fix!, /runtime\.model/)
    const notGguf = join(dir, 'model.gguf')
    copyFileSync(MAIN, notGguf)
    assert.match(checkModels(config({ runtime: { kind: 'llama', model: notGguf } }))[0]!.detail, /not a GGUF/)
    assert.equal(checkModels(config({}))[0]!.status, 'skip')
    assert.equal(checkModels(config({ embedder: { kind: 'transformers', model: join(dir, 'none') } }))[1]!.status, 'fail')
    // which embedder is in use, and how to switch to the others
    const builtin = byName(checkModels(config({})), 'embedder').detail
    assert.match(builtin, /^built-in hash-ngram-v\d/)
    assert.match(builtin, /"kind": "transformers"/)
    assert.match(builtin, /"kind": "openai"/)
    const served = byName(checkModels(config({ embedder: { kind: 'openai', model: 'nomic-embed-text', baseUrl: 'http://127.0.0.1:11434/v1' } })), 'embedder').detail
    assert.match(served, /^openai-compatible nomic-embed-text at http:\/\/127\.0\.0\.1:11434\/v1;/)
    assert.match(served, /"kind": "builtin"/)
  })

  it('ports: free, in use, and a non-loopback listen without a token', async () => {
    const { server, port } = await listening()
    try {
      const busy = await checkPorts(config({ http: { listen: `127.0.0.1:${port}` } }))
      assert.equal(byName(busy, 'http port').status, 'warn')
      assert.match(byName(busy, 'http port').fix!, /healthz/)
      const mesh = await checkPorts(config({ http: { listen: '127.0.0.1:0' }, listen: [`/ip4/127.0.0.1/tcp/${port}`] }))
      assert.equal(byName(mesh, 'mesh port').status, 'warn')
    } finally {
      server.close()
    }
    const exposed = await checkPorts(config({ http: { listen: '0.0.0.0:0' } }))
    assert.equal(byName(exposed, 'http token').status, 'fail')
    const withToken = await checkPorts(config({ http: { listen: '0.0.0.0:0', token: 'a-long-enough-token-123' } }))
    assert.equal(withToken.find(c => c.name === 'http token'), undefined)
  })

  it('bootstrap peers: reachable and unreachable', async () => {
    const { server, port } = await listening()
    const closed = await listening()
    closed.server.close()
    try {
      const checks = await checkPeers(config({ bootstrap: [`/ip4/127.0.0.1/tcp/${port}/p2p/12D3KooWA`, `/ip4/127.0.0.1/tcp/${closed.port}`, '/memory/x'] }))
      assert.deepEqual(checks.map(c => c.status), ['ok', 'warn', 'warn'])
      assert.match(checks[1]!.detail, /ECONNREFUSED/)
      assert.equal((await checkPeers(config({})))[0]!.status, 'skip')
    } finally {
      server.close()
    }
  })

  it('formats coloured lines only when asked', () => {
    const c: Check = { name: 'x', status: 'fail', detail: 'broken', fix: 'mend it' }
    assert.equal(formatCheck(c, false), '✗ x               broken\n    fix: mend it')
    assert.ok(formatCheck(c, true).startsWith('\u001b[31m✗\u001b[0m x'))
  })
})
