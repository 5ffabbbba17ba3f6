/**
 * `/baobab/fetch/2` wire format. The requester sends request frames `{cid, offset}`, as many as it
 * likes without waiting, and closes its side when it wants nothing more. The server answers each
 * request in order: one header frame `{ok: true, size}` (total size of the object) followed by
 * exactly the raw bytes from `offset` to the end, or the header `{ok: false, error}` alone; after
 * the last answer it closes.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { CHUNK_SIZE, MAX_ANY_SIZE } from '../artifacts/index.ts'
import { FETCH_PROTOCOL } from './constants.ts'
import { ProtocolViolationError } from './errors.ts'

export interface FetchRequest {
  cid: CID
  offset: number
}

export type FetchRefusal = 'not-found' | 'busy' | 'bad-offset'
export type FetchHeader = { ok: true, size: number } | { ok: false, error: FetchRefusal }

const REFUSALS: readonly string[] = ['not-found', 'busy', 'bad-offset']

function decodeMap (bytes: Uint8Array, what: string, peer?: string): Record<string, unknown> {
  let m: unknown
  try {
    m = dagCbor.decode(bytes)
  } catch (err) {
    throw new ProtocolViolationError(FETCH_PROTOCOL, `${what} is not DAG-CBOR`, peer, { cause: err })
  }
  if (m == null || typeof m !== 'object' || Array.isArray(m)) throw new ProtocolViolationError(FETCH_PROTOCOL, `${what} is not a map`, peer)
  return m as Record<string, unknown>
}

/** The largest object a CID may name: a chunk for raw CIDs, an artifact otherwise. */
export function maxSizeFor (cid: CID): number {
  return cid.code === raw.code ? CHUNK_SIZE : MAX_ANY_SIZE
}

export function encodeRequest (r: FetchRequest): Uint8Array {
  return dagCbor.encode({ cid: r.cid, offset: r.offset })
}

export function decodeRequest (bytes: Uint8Array, peer?: string): FetchRequest {
  const m = decodeMap(bytes, 'request', peer)
  const keys = Object.keys(m)
  if (keys.length !== 2 || !keys.includes('cid') || !keys.includes('offset')) throw new ProtocolViolationError(FETCH_PROTOCOL, 'request must have exactly cid and offset', peer)
  const cid = CID.asCID(m.cid)
  if (cid == null || cid.version !== 1 || (cid.code !== raw.code && cid.code !== dagCbor.code)) throw new ProtocolViolationError(FETCH_PROTOCOL, 'request cid must be a CIDv1 (raw or dag-cbor)', peer)
  const offset = m.offset
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || offset > maxSizeFor(cid)) throw new ProtocolViolationError(FETCH_PROTOCOL, 'request offset out of range', peer)
  return { cid, offset }
}

export function encodeHeader (h: FetchHeader): Uint8Array {
  return dagCbor.encode(h)
}

export function decodeHeader (bytes: Uint8Array, peer?: string): FetchHeader {
  const m = decodeMap(bytes, 'response header', peer)
  if (m.ok === true && Object.keys(m).length === 2 && typeof m.size === 'number' && Number.isSafeInteger(m.size) && m.size >= 0) return { ok: true, size: m.size }
  if (m.ok === false && Object.keys(m).length === 2 && typeof m.error === 'string' && REFUSALS.includes(m.error)) return { ok: false, error: m.error as FetchRefusal }
  throw new ProtocolViolationError(FETCH_PROTOCOL, 'malformed response header', peer)
}
