/**
 * One trust gate for `baobab sync`: separate `baobab` processes over real TCP on 127.0.0.1.
 * A runs `start` with an adapter carrying LoRA weights; B (who does not know A) syncs and holds
 * it in quarantine with a reason; C deny-lists A first and keeps nothing of A's; an experience B
 * trusted reaches C through B after A has gone offline; `trust peers` lists A wherever it was judged.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { MAIN as main, baobab, json, stop } from '../helpers/cli-process.ts'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

const weights = new URL('../fixtures/tiny-lora/llama-2-tiny-random.lora-a.f32.gguf', import.meta.url).pathname
const root = mkdtempSync(join(tmpdir(), 'baobab-sync-trust-'))
const running: ChildProcessWithoutNullStreams[] = []
after(async () => {
  for (const p of running) await stop(p)
  rmSync(root, { recursive: true, force: true })
})

/** `baobab start` on a loopback port; resolves with its /p2p/ address once it listens. */
async function start (home: string): Promise<{ proc: ChildProcessWithoutNullStreams, addr: string, lines: string[] }> {
  const proc = spawn(process.execPath, [main, '--home', home, 'start', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'], { stdio: ['pipe', 'pipe', 'pipe'] })
  running.push(proc)
  const lines: string[] = []
  let err = ''
  proc.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const addr = await new Promise<string>((resolve, reject) => {
    let buf = ''
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      const parts = buf.split('\n')
      buf = parts.pop() ?? ''
      for (const l of parts) {
        lines.push(l)
        const m = /^listening (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\S+)/.exec(l)
        if (m != null) resolve(m[1] as string)
      }
    })
    proc.once('exit', code => { reject(new Error(`start exited with ${code}: ${err}`)) })
  })
  return { proc, addr, lines }
}

interface Listed { cid: string, kind: string, author: string, status: string, shareable: boolean, reason: string | null }
interface Peer { peer: string, list: string | null, artifacts: Record<string, number>, votes: number, refused: number }
interface Synced { peer: string, artifacts: Array<{ cid: string, kind: string, status: string | null, reason: string | null, refused?: string }> }

describe('baobab sync goes through the trust pipeline', { timeout: 240_000 }, () => {
  it('held with a reason from an unknown author, nothing trusted from a deny-listed one, trusted knowledge relayed without its author', async () => {
    const [A, B, C] = ['a', 'b', 'c'].map(n => join(root, n)) as [string, string, string]
    const idA = (json<{ peerId: string }>(A, 'init')).peerId
    for (const h of [B, C]) json(h, 'init')
    const exemplars = join(root, 'vet.jsonl')
    writeFileSync(exemplars, JSON.stringify({ instruction: 'My goat is coughing. What should I do?', output: 'Isolate it, check for fever and call the vet if it lasts.' }) + '\n')
    const adapter = json<{ cid: string }>(A, 'adapter', 'add', '--name', 'vet-tiny', '--domain', 'veterinary', '--exemplars', exemplars, '--weights', weights, '--base', 'llama/llama-2-tiny-random').cid
    const lesson = json<{ cid: string }>(A, 'experience', 'add', '--domain', 'veterinary', '--text', 'When a calf has scours, give oral rehydration salts first because dehydration kills faster than the infection.').cid
    json(A, 'experience', 'publish', lesson)

    const a = await start(A)
    // B does not know A: the adapter's weights need a canary or votes, so it is held, not trusted
    const synced = json<Synced>(B, 'sync', a.addr)
    const held = synced.artifacts.find(x => x.cid === adapter)
    assert.equal(held?.status, 'quarantined', JSON.stringify(synced.artifacts))
    assert.ok((held?.reason ?? '').length > 0, 'the hold has a reason')
    const human = baobab(B, 'sync', a.addr)
    assert.equal(human.code, 0, human.err)
    assert.match(human.out, /peer 12D3Koo/)
    const listedB = json<Listed[]>(B, 'library', 'list')
    const heldB = listedB.find(x => x.cid === adapter)
    assert.equal(heldB?.status, 'quarantined')
    assert.equal(heldB?.shareable, false, 'what is not trusted is not offered')
    assert.equal(heldB?.reason, held?.reason)
    const lessonB = listedB.find(x => x.cid === lesson)
    assert.equal(lessonB?.status, 'trusted', JSON.stringify(lessonB))
    assert.equal(lessonB?.shareable, true, 'a trusted experience is relayed')
    // B judged A's artifacts, so A is listed with what was decided (screens alone earn no reputation)
    const judged = json<Peer[]>(B, 'trust', 'peers').find(p => p.peer === idA)
    assert.deepEqual(judged?.artifacts, { quarantined: 1, trusted: 1, rejected: 0, revoked: 0 })

    // C deny-lists A, then syncs from A: nothing of A's is trusted (refused before storage)
    assert.equal(baobab(C, 'trust', 'deny', idA).code, 0)
    const denied = json<Synced>(C, 'sync', a.addr)
    assert.ok(denied.artifacts.length >= 2, JSON.stringify(denied))
    for (const x of denied.artifacts) {
      assert.equal(x.status, 'rejected', JSON.stringify(x))
      assert.match(x.reason ?? '', /deny-listed/)
    }
    assert.ok(!json<Listed[]>(C, 'library', 'list').some(x => x.author === idA && x.status === 'trusted'))
    const refusedAtC = json<Peer[]>(C, 'trust', 'peers').find(p => p.peer === idA)
    assert.equal(refusedAtC?.list, 'deny')
    // A's adapter and lesson (A also relays B's vote: refused too, counted under its author B)
    const byA = denied.artifacts.filter(x => x.kind === 'adapter' || x.kind === 'experience')
    assert.equal(byA.length, 2)
    assert.equal(refusedAtC?.refused, byA.length, JSON.stringify([refusedAtC, denied.artifacts]))

    // A goes offline; C (no longer denying A) gets A's lesson from B, and not the held adapter
    await stop(a.proc)
    assert.equal(baobab(C, 'trust', 'unlist', idA).code, 0)
    const b = await start(B)
    const relayed = json<Synced>(C, 'sync', b.addr)
    assert.equal(relayed.artifacts.find(x => x.cid === lesson)?.status, 'trusted', JSON.stringify(relayed.artifacts))
    assert.ok(!relayed.artifacts.some(x => x.cid === adapter))
    await stop(b.proc)
  })
})
