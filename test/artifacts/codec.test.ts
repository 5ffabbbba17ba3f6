import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { generateKeyPair } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { KINDS, createArtifact, decodeArtifact, rawCid } from '../../src/artifacts/index.ts'
import { MAX_SIZE } from '../../src/artifacts/constants.ts'
import { sampleBodies } from '../helpers/sample-artifacts.ts'
import type { Kind } from '../../src/artifacts/index.ts'

const key = await generateKeyPair('Ed25519')
const other = await generateKeyPair('Ed25519')
const bodies = sampleBodies()

async function make (kind: Kind, body: unknown = bodies[kind]) {
  return createArtifact(kind, body as never, key, { created: 1_700_000_000_000 })
}

function reencode (bytes: Uint8Array, mutate: (env: Record<string, unknown>) => void): Uint8Array {
  const env = dagCbor.decode(bytes) as Record<string, unknown>
  mutate(env)
  return dagCbor.encode(env)
}

describe('artifact round trip', () => {
  for (const kind of KINDS) {
    it(`${kind}: create → decode gives the same envelope and CID`, async () => {
      const a = await make(kind)
      const b = await decodeArtifact(a.bytes, { expectedCid: a.cid })
      assert.equal(b.cid.toString(), a.cid.toString())
      assert.equal(b.envelope.kind, kind)
      assert.deepEqual(b.envelope.body, a.envelope.body)
      assert.ok(a.bytes.length <= MAX_SIZE[kind])
    })
  }

  it('a realistic outcome packet fits in 512 bytes', async () => {
    const a = await make('outcome')
    assert.ok(a.bytes.length <= 512, `outcome is ${a.bytes.length} bytes`)
  })
})

describe('artifact rejection', () => {
  it('wrong version', async () => {
    const a = await make('vote')
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { e.v = 2 })), { name: 'UnsupportedVersionError' })
  })
  it('unknown kind', async () => {
    const a = await make('vote')
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { e.kind = 'poem' })), { name: 'UnknownKindError' })
  })
  it('missing and extra fields', async () => {
    const a = await make('revocation')
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { delete (e.body as Record<string, unknown>).reason })), { name: 'MissingFieldError' })
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { (e.body as Record<string, unknown>).extra = 1 })), { name: 'UnexpectedFieldError' })
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { e.note = 'x' })), { name: 'UnexpectedFieldError' })
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { delete e.sig })), { name: 'MissingFieldError' })
  })
  it('wrong types', async () => {
    const a = await make('outcome')
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { (e.body as Record<string, unknown>).nEval = 'many' })), { name: 'FieldTypeError' })
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { (e.body as Record<string, unknown>).nEval = -3 })), { name: 'FieldTypeError' })
  })
  it('non-canonical bytes (map keys out of order)', async () => {
    const a = await make('revocation')
    const env = dagCbor.decode(a.bytes) as Record<string, unknown>
    // hand-build a CBOR map with keys in reverse order: valid CBOR, not canonical DAG-CBOR
    const keys = Object.keys(env).sort().reverse()
    const parts = keys.map(k => [dagCbor.encode(k), dagCbor.encode(env[k])])
    const header = new Uint8Array([0xa0 + keys.length])
    const bytes = Buffer.concat([header, ...parts.flat()])
    await assert.rejects(decodeArtifact(bytes), (err: Error) => ['NonCanonicalEncodingError', 'MalformedArtifactError'].includes(err.name))
  })
  it('oversize input', async () => {
    await assert.rejects(decodeArtifact(new Uint8Array(70_000)), { name: 'OversizeArtifactError' })
    const big = { ...bodies.outcome, task: 'x'.repeat(64), benchmark: 'y'.repeat(32), tags: ['a'.repeat(24), 'b'.repeat(24), 'c'.repeat(24), 'd'.repeat(24), 'e'.repeat(24), 'f'.repeat(24)] }
    await assert.rejects(make('outcome', big), { name: 'OversizeArtifactError' })
  })
  it('bad signature: body changed after signing, or signed by another key', async () => {
    const a = await make('vote')
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { (e.body as Record<string, unknown>).reason = 'canary-fail' })), { name: 'InvalidSignatureError' })
    const b = await createArtifact('vote', bodies.vote, other)
    await assert.rejects(decodeArtifact(reencode(a.bytes, e => { e.sig = (dagCbor.decode(b.bytes) as Record<string, unknown>).sig })), { name: 'InvalidSignatureError' })
  })
  it('CID mismatch', async () => {
    const a = await make('vote')
    await assert.rejects(decodeArtifact(a.bytes, { expectedCid: rawCid(a.bytes) }), { name: 'CidMismatchError' })
  })
  it('delta must equal score − baseline; experiences at most 40 words', async () => {
    await assert.rejects(make('outcome', { ...bodies.outcome, delta: 0.5 }), { name: 'FieldTypeError' })
    await assert.rejects(make('experience', { ...bodies.experience, text: Array(41).fill('w').join(' ') }), { name: 'FieldTypeError' })
    await assert.rejects(make('outcome', { ...bodies.outcome, score: Number.NaN }), { name: 'FieldTypeError' })
  })
  it('garbage bytes', async () => {
    await assert.rejects(decodeArtifact(new Uint8Array([0xff, 0x00, 0x13])), { name: 'MalformedArtifactError' })
  })
})

describe('artifact properties', () => {
  it('tampering any single byte is detected', async () => {
    const a = await make('outcome')
    for (let i = 0; i < a.bytes.length; i++) {
      const t = a.bytes.slice()
      t[i] = t[i]! ^ 0x01
      await assert.rejects(decodeArtifact(t, { expectedCid: a.cid }), `byte ${i} flip went undetected`)
    }
  })
  it('random valid revocation reasons round-trip; random bytes never crash the decoder', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 140 }), async reason => {
      const a = await make('revocation', { ...bodies.revocation, reason })
      const b = await decodeArtifact(a.bytes)
      assert.equal((b.envelope.body as { reason: string }).reason, reason)
    }), { numRuns: 100 })
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async bytes => {
      try { await decodeArtifact(bytes) } catch (err) { assert.match((err as Error).name, /Error$/); assert.notEqual((err as Error).name, 'Error'); assert.notEqual((err as Error).name, 'TypeError') }
    }), { numRuns: 500 })
  })
})
