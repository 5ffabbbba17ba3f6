/**
 * Fuzzing harness (fast-check): random bytes and mutations of valid encodings (bit flips, byte
 * overwrites, inserts, deletes, truncation, duplicated spans, splices of two seeds) fed to every
 * decoder a peer can reach. A *crash* is anything thrown that is not a named error (a plain
 * Error, TypeError, RangeError, … or a non-Error); a *hang* is one call over `hangMs`.
 * The test runs a few hundred cases per decoder; bench/adversarial.ts runs ≥ 10,000.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { loadAdapterFile } from '../../src/adapters/index.ts'
import { decodeArtifact } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { Reconciler } from '../../src/mesh/reconcile.ts'
import { announcementFor, decodeAnnouncement, encodeAnnouncement } from '../../src/mesh/announce.ts'
import { decodeHeader, decodeRequest, encodeHeader, encodeRequest } from '../../src/mesh/fetch-wire.ts'
import { encodeRecord, exactKey, signEntry } from '../../src/outcomes/index.ts'
import { parseRecord } from '../../src/outcomes/record.ts'
import { createTrust } from '../../src/trust/index.ts'
import { Checks } from '../../src/trust/screen-report.ts'
import { screenWeightFile } from '../../src/trust/adapter-screen.ts'
import { TINY_TARGETS, experienceBody, ggufBytes, loraA, loraB, outcomeBody, sign } from '../trust/helpers.ts'
import type { SignedArtifact } from '../../src/artifacts/index.ts'

export interface FuzzTarget {
  name: string
  seeds: Uint8Array[]
  run: (bytes: Uint8Array) => unknown
}

export interface FuzzReport {
  name: string
  cases: number
  /** Inputs the decoder accepted. */
  accepted: number
  crashes: number
  hangs: number
  slowestMs: number
  /** Named errors seen, by name. */
  errors: Record<string, number>
  crashSamples: string[]
}

const GENERIC = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError'])

type Op = { t: 'flip' | 'set' | 'insert' | 'delete' | 'truncate' | 'dup', pos: number, val: number, len: number }

const opArb: fc.Arbitrary<Op> = fc.record({
  t: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate', 'dup'),
  pos: fc.nat(),
  val: fc.integer({ min: 0, max: 255 }),
  len: fc.integer({ min: 1, max: 64 })
}) as fc.Arbitrary<Op>

function mutate (seed: Uint8Array, ops: Op[]): Uint8Array {
  let b = Array.from(seed)
  for (const op of ops) {
    const p = b.length === 0 ? 0 : op.pos % (b.length + 1)
    if (op.t === 'flip' && b.length > 0) b[p % b.length] = (b[p % b.length] as number) ^ (1 << (op.val % 8))
    else if (op.t === 'set' && b.length > 0) b[p % b.length] = op.val
    else if (op.t === 'insert') b.splice(p, 0, ...Array.from({ length: op.len }, (_, i) => (op.val + i * 31) & 255))
    else if (op.t === 'delete') b.splice(p, op.len)
    else if (op.t === 'truncate') b = b.slice(0, p)
    else if (op.t === 'dup') b.splice(p, 0, ...b.slice(p, p + op.len))
  }
  return Uint8Array.from(b)
}

export function inputs (seeds: Uint8Array[], count: number, seed: number): Uint8Array[] {
  const random = fc.uint8Array({ maxLength: 4096 })
  const mutated = fc.record({ i: fc.nat(), ops: fc.array(opArb, { minLength: 1, maxLength: 8 }) })
    .map(({ i, ops }) => mutate(seeds[i % seeds.length] as Uint8Array, ops))
  const spliced = fc.record({ i: fc.nat(), j: fc.nat(), at: fc.nat() }).map(({ i, j, at }) => {
    const a = seeds[i % seeds.length] as Uint8Array
    const b = seeds[j % seeds.length] as Uint8Array
    const k = at % (a.length + 1)
    return Uint8Array.from([...a.subarray(0, k), ...b.subarray(k % (b.length + 1))])
  })
  const arb = seeds.length > 0 ? fc.oneof({ arbitrary: random, weight: 1 }, { arbitrary: mutated, weight: 3 }, { arbitrary: spliced, weight: 1 }) : random
  return fc.sample(arb, { numRuns: count, seed })
}

export async function fuzz (target: FuzzTarget, count: number, seed = 42, hangMs = 2000): Promise<FuzzReport> {
  const report: FuzzReport = { name: target.name, cases: 0, accepted: 0, crashes: 0, hangs: 0, slowestMs: 0, errors: {}, crashSamples: [] }
  const all = [...target.seeds, ...inputs(target.seeds, Math.max(0, count - target.seeds.length), seed)]
  for (const bytes of all) {
    const t = performance.now()
    try {
      await target.run(bytes)
      report.accepted++
    } catch (err) {
      const name = err instanceof Error ? err.name : typeof err
      if (!(err instanceof Error) || GENERIC.has(name) || err.message === '') {
        report.crashes++
        if (report.crashSamples.length < 5) report.crashSamples.push(`${name}: ${err instanceof Error ? err.message : String(err)} on ${Buffer.from(bytes.subarray(0, 48)).toString('hex')}`)
      } else {
        report.errors[name] = (report.errors[name] ?? 0) + 1
      }
    }
    const ms = performance.now() - t
    report.slowestMs = Math.max(report.slowestMs, ms)
    if (ms > hangMs) report.hangs++
    report.cases++
  }
  report.slowestMs = Math.round(report.slowestMs * 10) / 10
  return report
}

export interface FuzzTargets {
  targets: FuzzTarget[]
  close(): void
}

/** Every decoder a peer can reach, with valid seeds. */
export async function fuzzTargets (includeLibraryDecoders = false): Promise<FuzzTargets> {
  const key = await generateKeyPair('Ed25519')
  const seeds: SignedArtifact[] = [
    await sign('experience', experienceBody('Dip calves\' navels in iodine within an hour of birth.'), key),
    await sign('outcome', outcomeBody(), key)
  ]
  seeds.push(await sign('vote', { target: seeds[0]!.cid, verdict: 1, reason: 'canary-pass', score: 0.9 }, key))
  seeds.push(await sign('reproduction', { target: seeds[1]!.cid, measuredDelta: 0.03, nEval: 200 }, key))
  seeds.push(await sign('revocation', { target: seeds[0]!.cid, reason: 'superseded' }, key))
  const artifactBytes = seeds.map(s => s.bytes)

  const home = mkdtempSync(join(tmpdir(), 'baobab-fuzz-'))
  const library = openLibrary({ home })
  const trust = createTrust({ library, privateKey: key }, { policy: 'open', rateLimits: { admit: { rate: 1e9, burst: 1e9 } } })

  const announcements = await Promise.all(seeds.map(async s => encodeAnnouncement(announcementFor(s, key, ['/ip4/127.0.0.1/tcp/4001']), key)))
  const requests = seeds.map((s, i) => encodeRequest({ cid: s.cid, offset: i * 100 }))
  const headers = [encodeHeader({ ok: true, size: 1234 }), encodeHeader({ ok: false, error: 'busy' })]

  const items = (n: number, salt: number): Array<{ created: number, id: Uint8Array }> =>
    Array.from({ length: n }, (_, i) => ({ created: 1_700_000_000_000 + i * 1000, id: Uint8Array.from({ length: 32 }, (_, j) => (i * 7 + j * salt) & 255) }))
  const initiator = new Reconciler(items(300, 3))
  const first = initiator.initiate()
  const replies = [new Reconciler(items(280, 3)).respond(first), new Reconciler(items(40, 5)).respond(first)]

  const recordKey = exactKey(outcomeBody())
  const records = [encodeRecord({ v: 1, entries: [await signEntry(recordKey, key, [seeds[1]!.cid], Date.now())] })]

  const weights = [ggufBytes(await loraA()), ggufBytes(await loraB())]
  let n = 0

  const targets: FuzzTarget[] = [
    { name: 'decodeArtifact', seeds: artifactBytes, run: async b => decodeArtifact(b) },
    { name: 'trust.admit', seeds: artifactBytes, run: async b => trust.admission.admit(b, { source: { type: 'peer', peer: 'fuzzer' } }) },
    { name: 'mesh.decodeAnnouncement', seeds: announcements, run: async b => decodeAnnouncement(b) },
    { name: 'mesh.fetch.decodeRequest', seeds: requests, run: b => decodeRequest(b, 'fuzzer') },
    { name: 'mesh.fetch.decodeHeader', seeds: headers, run: b => decodeHeader(b, 'fuzzer') },
    { name: 'mesh.sync.respond', seeds: [first], run: b => new Reconciler(items(50, 3)).respond(b) },
    { name: 'mesh.sync.reconcile', seeds: replies, run: b => { const r = new Reconciler(items(50, 3)); r.initiate(); return r.reconcile(b, [], []) } },
    { name: 'outcomes.parseRecord', seeds: records, run: b => parseRecord(recordKey, b) },
    {
      // the trust screen over peer-supplied weights: bad bytes must become a failed check, never a throw
      name: 'trust.screenWeightFile',
      seeds: weights,
      run: async b => {
        const path = join(home, `w${n++ % 4}.gguf`)
        writeFileSync(path, b)
        return screenWeightFile(path, { targets: TINY_TARGETS, rank: 4 }, loadAdapterFile, new Checks())
      }
    }
  ]
  if (includeLibraryDecoders) {
    // the adapters reader itself (its errors are caught by the screen above; reported for its owners)
    targets.push({
      name: 'adapters.loadAdapterFile',
      seeds: weights,
      run: async b => {
        const path = join(home, `r${n++ % 4}.gguf`)
        writeFileSync(path, b)
        return loadAdapterFile(path)
      }
    })
  }
  return { targets, close: () => { library.close(); rmSync(home, { recursive: true, force: true }) } }
}
