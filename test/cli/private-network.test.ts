/**
 * Private networks from the CLI, separate `baobab` processes over TCP on 127.0.0.1: the secret
 * stays in the 0600 key file, `network show` names "default, private" and "default, open" apart,
 * and a node without the key that meets a private node says why they cannot connect (in the
 * `start` log, `peers list` and `doctor`).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { MAIN as main, baobab, json, stop } from '../helpers/cli-process.ts'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

const root = mkdtempSync(join(tmpdir(), 'baobab-pnet-'))
const running: ChildProcessWithoutNullStreams[] = []
after(async () => {
  for (const p of running) await stop(p)
  rmSync(root, { recursive: true, force: true })
})

/** Runs `baobab start`; resolves when a stdout line matches `until`, with that line. */
async function start (home: string, args: string[], until: RegExp): Promise<{ proc: ChildProcessWithoutNullStreams, line: string }> {
  const proc = spawn(process.execPath, [main, '--home', home, 'start', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  running.push(proc)
  let err = ''
  proc.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const line = await new Promise<string>((resolve, reject) => {
    let buf = ''
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      const parts = buf.split('\n')
      buf = parts.pop() ?? ''
      const hit = parts.find(l => until.test(l))
      if (hit != null) resolve(hit)
    })
    proc.once('exit', code => { reject(new Error(`start exited with ${code}: ${err}`)) })
  })
  return { proc, line }
}

describe('private networks', { timeout: 180_000 }, () => {
  it('network create keeps the secret only in the 0600 key file; show names open and private apart', () => {
    const home = join(root, 'keys')
    json(home, 'init')
    const open = baobab(home, 'network', 'show')
    assert.match(open.out, /^network default, open /)
    assert.equal(json<{ kind: string }>(home, 'network', 'show').kind, 'open')
    const created = json<{ path: string }>(home, 'network', 'create')
    assert.equal(statSync(created.path).mode & 0o777, 0o600)
    const secret = readFileSync(created.path, 'utf8').trim().split('\n').pop() as string
    assert.match(secret, /^[0-9a-f]{64}$/)
    const config = readFileSync(join(home, 'config.json'), 'utf8')
    assert.ok(!config.includes(secret), 'config.json holds no copy of the key')
    assert.equal((JSON.parse(config) as { pskFile?: string }).pskFile, created.path)
    const shown = baobab(home, 'network', 'show')
    assert.match(shown.out, /^network default, private \(key [0-9a-f]{16}/)
    assert.equal(json<{ kind: string }>(home, 'network', 'show').kind, 'private')
    // join another member's file: again a path in config.json, never the secret
    const other = join(root, 'other')
    json(other, 'init')
    json(other, 'network', 'join', created.path)
    assert.ok(!readFileSync(join(other, 'config.json'), 'utf8').includes(secret))
    assert.equal(json<{ kind: string }>(other, 'network', 'show').kind, 'private')
  })

  it('a node without the key says it saw a private peer and was refused: log, peers list, doctor', async () => {
    const [A, B] = [join(root, 'a'), join(root, 'b')]
    json(A, 'init')
    json(B, 'init')
    json(A, 'network', 'create')
    const a = await start(A, [], /^listening \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    const addr = a.line.replace(/^listening /, '').trim()
    const idA = addr.split('/p2p/')[1] as string
    const b = await start(B, ['--bootstrap', addr], /seen but refused/)
    assert.match(b.line, new RegExp(`${idA} seen but refused: .*private network this node has no key for`))
    await stop(b.proc)
    await stop(a.proc)
    const peers = json<Array<{ peer: string, connected: boolean, refused: string | null }>>(B, 'peers', 'list')
    const seen = peers.find(p => p.peer === idA)
    assert.equal(seen?.connected, false)
    assert.match(seen?.refused ?? '', /private network/)
    assert.match(baobab(B, 'peers', 'list').out, new RegExp(`refused\\s+${idA}`))
    const doctor = JSON.parse(baobab(B, 'doctor', '--json').out) as { checks: Array<{ name: string, status: string, detail: string, fix?: string }> }
    const net = doctor.checks.find(c => c.name === 'network')
    assert.equal(net?.status, 'warn', JSON.stringify(doctor.checks))
    assert.match(net?.detail ?? '', /default, open .*1 peer\(s\) seen but refused/)
    assert.match(net?.fix ?? '', /network join/)
  })
})
