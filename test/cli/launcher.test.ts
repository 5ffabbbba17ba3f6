/**
 * `bin/baobab.js` as a user runs it: with whatever `node` is first on the PATH. Debian and
 * Raspberry Pi OS ship Node 20, which cannot run the TypeScript sources; the launcher must hand
 * over to the Node 24 installed beside Baobab, pass the arguments, the exit code and Ctrl-C on.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'

const bin = new URL('../../bin/baobab.js', import.meta.url).pathname
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
const home = mkdtempSync(join(tmpdir(), 'baobab-launcher-'))
after(() => { rmSync(home, { recursive: true, force: true }) })

/** A node binary older than 22.18 on this machine (the system one), or why there is none. */
function oldNode (): { path: string } | { skip: string } {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const v = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
      const [major = 0, minor = 0] = v.split('.').map(Number)
      if (major < 22 || (major === 22 && minor < 18)) return { path }
    } catch { /* not installed there */ }
  }
  return { skip: 'no Node older than 22.18 is installed on this machine' }
}

const old = oldNode()
const skip = 'skip' in old ? old.skip : false
const oldPath = 'path' in old ? old.path : ''

describe('bin/baobab.js launcher', () => {
  it('runs under the current Node directly', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), version)
  })

  it('under an older Node hands over to the bundled Node 24 with the arguments and exit code', { skip }, () => {
    const v = spawnSync(oldPath, [bin, '--version'], { encoding: 'utf8' })
    assert.equal(v.status, 0, v.stderr)
    assert.equal(v.stdout.trim(), version)
    const init = spawnSync(oldPath, [bin, '--home', home, 'init', '--json'], { encoding: 'utf8' })
    assert.equal(init.status, 0, init.stderr)
    assert.match((JSON.parse(init.stdout) as { peerId: string }).peerId, /^12D3Koo/)
    const bad = spawnSync(oldPath, [bin, 'no-such-command'], { encoding: 'utf8' })
    assert.notEqual(bad.status, 0)
    assert.match(bad.stderr, /unknown command 'no-such-command'/)
  })

  it('under an older Node passes Ctrl-C on to a running node, which shuts down', { skip }, async () => {
    const proc = spawn(oldPath, [bin, '--home', home, 'start', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    proc.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const exited = new Promise<number | null>(resolve => proc.once('exit', code => { resolve(code) }))
    await new Promise<void>((resolve, reject) => {
      let out = ''
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (/^listening \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//m.test(out)) resolve()
      })
      void exited.then(code => { reject(new Error(`start exited with ${code}: ${err}`)) })
    })
    proc.kill('SIGINT')
    const code = await exited
    assert.equal(code, 0, `a node stopped by Ctrl-C exits 0 (stderr: ${err})`)
  })
})
