import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { InvalidSyncMessageError } from '../../src/mesh/errors.ts'
import { Reconciler, reconcileLocal } from '../../src/mesh/reconcile.ts'
import { cidToId, idToCid } from '../../src/mesh/sync-protocol.ts'
import { CID } from 'multiformats/cid'
import { rawCid } from '../../src/artifacts/index.ts'
import { artifactCid } from '../../src/artifacts/codec.ts'
import type { SyncItem } from '../../src/mesh/reconcile.ts'

function item (n: number, created = 1_700_000_000_000 + Math.floor(n / 3)): SyncItem {
  return { created, id: new Uint8Array(createHash('sha256').update(`item-${n}`).digest()) }
}

const hex = (ids: Uint8Array[]) => ids.map(i => Buffer.from(i).toString('hex')).sort()

/** Checks that reconciliation finds exactly the set differences. */
function check (a: SyncItem[], b: SyncItem[], frameSizeLimit?: number) {
  const r = reconcileLocal(a, b, { frameSizeLimit })
  const ha = new Set(a.map(i => Buffer.from(i.id).toString('hex')))
  const hb = new Set(b.map(i => Buffer.from(i.id).toString('hex')))
  assert.deepEqual(hex(r.have), [...ha].filter(x => !hb.has(x)).sort(), 'have')
  assert.deepEqual(hex(r.need), [...hb].filter(x => !ha.has(x)).sort(), 'need')
  return r
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => item(from + i))

describe('range-based set reconciliation', () => {
  it('empty vs empty finishes in one round with nothing to do', () => {
    const r = check([], [])
    assert.equal(r.rounds, 1)
  })

  it('empty vs non-empty and back', () => {
    check([], range(0, 500))
    check(range(0, 500), [])
  })

  it('identical 10k sets exchange well under a kilobyte', () => {
    const s = range(0, 10_000)
    const r = check(s, s)
    assert.equal(r.have.length + r.need.length, 0)
    assert.ok(r.bytesOut + r.bytesIn < 1024, `${r.bytesOut + r.bytesIn} bytes`)
  })

  it('disjoint sets', () => {
    check(range(0, 3000), range(3000, 5000))
  })

  it('10k vs 10k+1 finds the one extra item', () => {
    const a = range(0, 10_000)
    const b = [...a, item(777_777)]
    const r = check(a, b)
    assert.equal(r.need.length, 1)
    assert.equal(r.have.length, 0)
  })

  it('10 differences in 10k sets cost far less than listing the set', () => {
    const base = range(0, 10_000)
    const a = base.filter((_, i) => i % 1000 !== 5)
    const b = [...base, ...range(20_000, 20_000)]
    const r = check(a, b)
    assert.equal(r.need.length, 10)
    assert.ok(r.bytesOut + r.bytesIn < 50_000, `${r.bytesOut + r.bytesIn} bytes for 10 differences`)
  })

  it('wire bytes grow with the difference, not the set size', () => {
    const cost = (n: number, diff: number) => {
      const base = range(0, n)
      const b = [...base, ...range(100_000, 100_000 + diff)]
      const r = check(base, b)
      return r.bytesIn + r.bytesOut
    }
    const small = cost(2_000, 10)
    const large = cost(20_000, 10)
    assert.ok(large < small * 3, `10x the set size cost ${large} vs ${small} bytes`)
    assert.ok(cost(20_000, 200) > large * 4, 'a 20x larger difference costs more')
  })

  it('equal timestamps are split by id prefixes', () => {
    const a = Array.from({ length: 400 }, (_, i) => item(i, 5))
    const b = a.filter((_, i) => i % 37 !== 0)
    check(a, b)
    check(b, a)
  })

  it('a small frame limit still converges, in more rounds, and keeps every message under it', () => {
    const a = range(0, 4000)
    const b = range(2000, 6000)
    const limit = 4096
    const x = new Reconciler(a, { frameSizeLimit: limit })
    const y = new Reconciler(b, { frameSizeLimit: limit })
    let msg: Uint8Array | null = x.initiate()
    const have: Uint8Array[] = []
    const need: Uint8Array[] = []
    let rounds = 0
    while (msg != null) {
      assert.ok(msg.length <= limit, `initiator sent ${msg.length}`)
      const reply = y.respond(msg)
      assert.ok(reply.length <= limit, `responder sent ${reply.length}`)
      msg = x.reconcile(reply, have, need)
      rounds++
      assert.ok(rounds < 200)
    }
    assert.equal(have.length, 2000)
    assert.equal(need.length, 2000)
    assert.ok(rounds > 2)
  })

  it('randomised differences (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 })), { maxLength: 1500, size: 'max' }),
      fc.integer({ min: 0, max: 50 }),
      (spec, ts) => {
        const a: SyncItem[] = []
        const b: SyncItem[] = []
        for (const [n, where] of spec) {
          const it = item(n, ts + (n % 7))
          if (where !== 1) a.push(it)
          if (where !== 0) b.push(it)
        }
        check(a, b)
      }
    ), { numRuns: 60 })
  })

  it('rejects garbage with a named error', () => {
    const r = new Reconciler(range(0, 100))
    for (const bad of [
      new Uint8Array([]),
      new Uint8Array([9, 0, 0]),
      new Uint8Array([1, 0, 0, 7]),
      new Uint8Array([1, 0, 0, 2, 200]),
      new Uint8Array([1, 0, 40]),
      new Uint8Array([1, 5, 0, 0, 1, 0, 0]),
      new Uint8Array([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    ]) {
      assert.throws(() => r.respond(bad), (e: Error) => e.name === 'InvalidSyncMessageError' && e instanceof InvalidSyncMessageError, Buffer.from(bad).toString('hex'))
    }
  })

  it('artifact CIDs map to 32-byte ids and back (fast path agrees with CID.parse)', () => {
    for (let i = 0; i < 200; i++) {
      const cid = artifactCid(new TextEncoder().encode(`artifact ${i}`)).toString()
      const id = cidToId(cid)
      assert.deepEqual(id, CID.parse(cid).multihash.digest)
      assert.equal(idToCid(id as Uint8Array), cid)
    }
    assert.equal(cidToId(rawCid(new Uint8Array([1])).toString()), undefined, 'raw CIDs are not artifacts')
    assert.equal(cidToId('not a cid'), undefined)
  })
})
