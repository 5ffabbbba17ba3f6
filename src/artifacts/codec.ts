/** Canonical DAG-CBOR encoding, CIDv1 (sha2-256) and Ed25519 signatures over envelopes. */
import { createHash } from 'node:crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { ARTIFACT_VERSION, KINDS, MAX_ANY_SIZE, MAX_SIZE } from './constants.ts'
import {
  CidMismatchError, FieldTypeError, InvalidSignatureError, MalformedArtifactError, MissingFieldError,
  NonCanonicalEncodingError, OversizeArtifactError, UnexpectedFieldError, UnknownKindError, UnsupportedVersionError
} from './errors.ts'
import { BODY_SPECS } from './kinds.ts'
import { check, checkObject } from './schema.ts'
import type { BodyByKind, Kind } from './kinds.ts'
import type { PrivateKey } from '@libp2p/interface'

export interface Envelope<K extends Kind = Kind> {
  v: 1
  kind: K
  author: string
  created: number
  body: BodyByKind[K]
  sig: Uint8Array
}

export interface SignedArtifact<K extends Kind = Kind> {
  cid: CID
  bytes: Uint8Array
  envelope: Envelope<K>
}

const ENVELOPE_FIELDS = ['v', 'kind', 'author', 'created', 'body', 'sig']

export function sha256Bytes (bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

/** CIDv1 of DAG-CBOR bytes. */
export function artifactCid (bytes: Uint8Array): CID {
  return CID.createV1(dagCbor.code, createDigest(sha256.code, sha256Bytes(bytes)))
}

/** CIDv1 (raw codec) of a blob chunk. */
export function rawCid (bytes: Uint8Array): CID {
  return CID.createV1(raw.code, createDigest(sha256.code, sha256Bytes(bytes)))
}

/** The same, hashed on libuv's thread pool (WebCrypto) so the event loop keeps moving bytes. */
export async function rawCidAsync (bytes: Uint8Array): Promise<CID> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
  return CID.createV1(raw.code, createDigest(sha256.code, digest))
}

/** Checks kind-specific rules that a schema cannot express. */
function checkSemantics (kind: Kind, body: unknown): void {
  if (kind === 'outcome') {
    const o = body as BodyByKind['outcome']
    if (Math.abs(o.score - o.baseline - o.delta) > 1e-9 * Math.max(1, Math.abs(o.score), Math.abs(o.baseline))) {
      throw new FieldTypeError('body.delta', `score − baseline (${o.score - o.baseline})`)
    }
  } else if (kind === 'experience') {
    const e = body as BodyByKind['experience']
    if (e.text.trim().split(/\s+/).length > 40) throw new FieldTypeError('body.text', 'at most 40 words')
  }
}

/** Validates the structure of an envelope (without signature), throwing named errors. */
export function validateEnvelope (value: unknown): asserts value is Envelope {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedArtifactError('artifact is not a map')
  }
  const env = value as Record<string, unknown>
  if (env.v !== ARTIFACT_VERSION) throw new UnsupportedVersionError(env.v)
  if (typeof env.kind !== 'string' || !(KINDS as readonly string[]).includes(env.kind)) throw new UnknownKindError(env.kind)
  const kind = env.kind as Kind
  for (const key of Object.keys(env)) if (!ENVELOPE_FIELDS.includes(key)) throw new UnexpectedFieldError(key)
  for (const key of ENVELOPE_FIELDS) if (env[key] === undefined) throw new MissingFieldError(key)
  check(env.author, { t: 'str', min: 1, max: 128 }, 'author')
  check(env.created, { t: 'num', int: true, min: 0 }, 'created')
  check(env.sig, { t: 'bytes', max: 128 }, 'sig')
  checkObject(env.body, BODY_SPECS[kind].fields, BODY_SPECS[kind].optional ?? [], 'body')
  checkSemantics(kind, env.body)
}

function unsignedBytes (env: Omit<Envelope, 'sig'>): Uint8Array {
  return dagCbor.encode({ v: env.v, kind: env.kind, author: env.author, created: env.created, body: env.body })
}

export interface CreateOptions {
  created?: number
}

/** Builds, validates, signs and encodes an artifact. Throws the same named errors as the decoder. */
export async function createArtifact<K extends Kind> (
  kind: K, body: BodyByKind[K], privateKey: PrivateKey, options: CreateOptions = {}
): Promise<SignedArtifact<K>> {
  const author = peerIdFromPrivateKey(privateKey).toString()
  const unsigned = { v: ARTIFACT_VERSION as 1, kind, author, created: options.created ?? Date.now(), body }
  validateEnvelope({ ...unsigned, sig: new Uint8Array(64) })
  const sig = await privateKey.sign(unsignedBytes(unsigned))
  const envelope: Envelope<K> = { ...unsigned, sig }
  let bytes: Uint8Array
  try {
    bytes = dagCbor.encode(envelope)
  } catch (err) {
    throw new MalformedArtifactError('artifact cannot be encoded as DAG-CBOR', { cause: err })
  }
  if (bytes.length > MAX_SIZE[kind]) throw new OversizeArtifactError(kind, bytes.length, MAX_SIZE[kind])
  return { cid: artifactCid(bytes), bytes, envelope }
}

export interface DecodeOptions {
  /** When given, the bytes must hash to this CID. */
  expectedCid?: CID | string
}

/** Decodes and fully verifies an artifact: size, encoding, canonical form, schema, signature, CID. */
export async function decodeArtifact (bytes: Uint8Array, options: DecodeOptions = {}): Promise<SignedArtifact> {
  if (bytes.length > MAX_ANY_SIZE) throw new OversizeArtifactError('any', bytes.length, MAX_ANY_SIZE)
  let value: unknown
  try {
    value = dagCbor.decode(bytes)
  } catch (err) {
    throw new MalformedArtifactError('bytes are not valid DAG-CBOR', { cause: err })
  }
  validateEnvelope(value)
  const env = value
  if (bytes.length > MAX_SIZE[env.kind]) throw new OversizeArtifactError(env.kind, bytes.length, MAX_SIZE[env.kind])
  if (!equalBytes(dagCbor.encode(env), bytes)) throw new NonCanonicalEncodingError()
  const cid = artifactCid(bytes)
  if (options.expectedCid != null && cid.toString() !== options.expectedCid.toString()) {
    throw new CidMismatchError(options.expectedCid.toString(), cid.toString())
  }
  await verifySignature(env)
  return { cid, bytes, envelope: env }
}

async function verifySignature (env: Envelope): Promise<void> {
  let ok: boolean
  try {
    const peerId = peerIdFromString(env.author)
    if (peerId.publicKey == null || peerId.type !== 'Ed25519') throw new Error('author is not an Ed25519 peer id')
    ok = await peerId.publicKey.verify(unsignedBytes(env), env.sig)
  } catch (err) {
    throw new InvalidSignatureError(env.author, { cause: err })
  }
  if (!ok) throw new InvalidSignatureError(env.author)
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function parseCid (text: string): CID {
  try {
    return CID.parse(text)
  } catch (err) {
    throw new MalformedArtifactError(`"${text}" is not a CID`, { cause: err })
  }
}

/** Decodes bytes this node already verified and stored (no signature check). */
export function decodeStoredArtifact (bytes: Uint8Array, cid: string): SignedArtifact {
  return { cid: CID.parse(cid), bytes, envelope: dagCbor.decode(bytes) }
}
