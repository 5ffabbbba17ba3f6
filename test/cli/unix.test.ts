/**
 * A Unix citizen: a closed stdout ends any command quietly (no EPIPE stack trace), a start that
 * cannot serve what it was asked exits non-zero instead of running on, and the API token comes
 * from a flag or $BAOBAB_HTTP_TOKEN as well as config.json. Real processes, real sockets on
 * 127.0.0.1.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { httpPlan } from '../../src/cli/commands/start.ts'
import { DEFAULT_CONFIG } from '../../src/config.ts'

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname
const home = mkdtempSync(join(tmpdir(), 'baobab-unix-'))
after(() => { rmSync(home, { recursive: true, force: true }) })
const TOKEN = 'a-token-of-sixteen-or-more'

/** Runs baobab with its stdout already closed by the reader (what `| head -1` does, at once). */
async function withClosedStdout (args: string[]): Promise<{ code: number | null, signal: string | null, err: string }> {
  const child = spawn(process.execPath, [main, '--home', home, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BAOBAB_HTTP_TOKEN: '' } })
  child.stdout.destroy()
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d })
  return new Promise(resolve => { child.on('close', (code, signal) => { resolve({ code, signal, err }) }) })
}

describe('CLI: a Unix citizen', () => {
  it('--help into a closed pipe exits 0 without a stack trace (the handler is installed before any command runs)', async () => {
    for (const args of [[], ['export'], ['start'], ['doctor'], ['adapter', 'merge']]) {
      const r = await withClosedStdout([...args, '--help'])
      assert.equal(r.err, '', `baobab ${args.join(' ')} --help`)
      assert.equal(r.code, 0, `baobab ${args.join(' ')} --help`)
    }
  })

  it('start with its stdout closed stops cleanly and exits 0', async () => {
    const r = await withClosedStdout(['start', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'])
    assert.equal(r.code, 0, r.err)
    assert.doesNotMatch(r.err, /EPIPE|\n\s+at /)
  })

  it('start --http off loopback without a token exits non-zero before running a node', async () => {
    const r = spawnSync(process.execPath, [main, '--home', home, 'start', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--http', '10.77.0.2:7777'], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, BAOBAB_HTTP_TOKEN: '' }
    })
    assert.equal(r.signal, null, 'exited by itself')
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /InsecureBindError: refusing to listen on 10\.77\.0\.2 without a token/)
    assert.doesNotMatch(r.stdout, /^node /m, 'no node was started')
  })

  it('the token comes from --token, then $BAOBAB_HTTP_TOKEN, then config.json', () => {
    const config = { ...structuredClone(DEFAULT_CONFIG), http: { listen: '127.0.0.1:7777', token: 'token-from-config-json' } }
    const env = { BAOBAB_HTTP_TOKEN: 'token-from-the-environment' }
    assert.equal(httpPlan('10.77.0.2:7777', TOKEN, config, env).token, TOKEN)
    assert.equal(httpPlan('10.77.0.2:7777', undefined, config, env).token, env.BAOBAB_HTTP_TOKEN)
    assert.equal(httpPlan(true, undefined, config, {}).token, config.http.token)
    assert.deepEqual(httpPlan('127.0.0.1:0', undefined, structuredClone(DEFAULT_CONFIG), {}), { host: '127.0.0.1', port: 0 })
    assert.throws(() => httpPlan('10.77.0.2:7777', undefined, structuredClone(DEFAULT_CONFIG), {}), { name: 'InsecureBindError' })
    assert.throws(() => httpPlan('10.77.0.2:7777', 'short', structuredClone(DEFAULT_CONFIG), {}), { name: 'InvalidApiOptionsError' })
  })

  it('start --http with $BAOBAB_HTTP_TOKEN serves an API that wants that token, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [main, '--home', home, 'start', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--http', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BAOBAB_HTTP_TOKEN: TOKEN }
    })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d })
    const exited = new Promise<number | null>(resolve => { child.on('close', code => { resolve(code) }) })
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d
        const m = /^dashboard (\S+)/m.exec(out)
        if (m != null) resolve(m[1]!)
      })
      void exited.then(code => { reject(new Error(`start exited ${code}: ${err}`)) })
    })
    try {
      assert.equal((await fetch(new URL('api/status', url))).status, 401)
      assert.equal((await fetch(new URL('api/status', url), { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200)
    } finally {
      child.kill('SIGTERM')
    }
    assert.equal(await exited, 0, err)
  })
})
