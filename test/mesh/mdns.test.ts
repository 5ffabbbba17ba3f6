/** mDNS discovery, only inside a network namespace this test creates (never on the host network). */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const child = fileURLToPath(new URL('./fixtures/mdns-child.ts', import.meta.url))

function namespacesAvailable (): string | undefined {
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' })
  if (r.error != null) return `unshare is not available (${r.error.message})`
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim() || `exit ${r.status}`}`
  return undefined
}

describe('mDNS', () => {
  it('two nodes in a private network namespace discover each other and sync', async (t) => {
    const why = namespacesAvailable()
    if (why != null) {
      console.log(`skipping mDNS test: ${why}`)
      t.skip(why)
      return
    }
    const proc = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${child}"`], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    proc.stdout.on('data', d => { out += String(d) })
    proc.stderr.on('data', d => { err += String(d) })
    const code = await new Promise<number | null>(resolve => { proc.on('close', resolve) })
    const line = out.trim().split('\n').pop() ?? ''
    assert.equal(code, 0, `child failed: ${line} ${err.slice(-500)}`)
    const result = JSON.parse(line) as { ok: boolean, discoveredMs: number, peers: string[] }
    assert.equal(result.ok, true)
    assert.equal(result.peers.length, 1)
    t.diagnostic(`discovered after ${result.discoveredMs} ms`)
  })
})
