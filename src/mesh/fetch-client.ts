/** One `/baobab/fetch/1` request to one peer: returns the bytes from `offset` to the end. */
import { FETCH_HEADER_LIMIT, FETCH_PROTOCOL, FETCH_TIMEOUT_MS } from './constants.ts'
import { FetchRefusedError, MeshError, ProtocolViolationError } from './errors.ts'
import { decodeHeader, encodeRequest, maxSizeFor } from './fetch-wire.ts'
import { StreamReader, frame, sendAll } from './stream-io.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** A transfer that stopped early; `received` holds what arrived so a retry can resume. */
export class TruncatedTransferError extends MeshError {
  static override readonly retryable = true
  readonly received: Uint8Array
  readonly size: number
  constructor (cid: string, received: Uint8Array, size: number, options?: ErrorOptions) {
    super(`transfer of ${cid} stopped after ${received.length} of ${size} bytes`, options)
    this.received = received
    this.size = size
  }
}

export interface RequestOptions {
  offset?: number
  signal?: AbortSignal
  timeoutMs?: number
  /** Called as bytes arrive (count since the request started). */
  onBytes?: (received: number, size: number) => void
}

export interface RequestResult {
  /** Total size of the object. */
  size: number
  /** Bytes from `offset` to the end. */
  data: Uint8Array
}

export async function requestBytes (libp2p: MeshLibp2p, peer: PeerId, cid: CID, options: RequestOptions = {}): Promise<RequestResult> {
  const offset = options.offset ?? 0
  const key = cid.toString()
  const who = peer.toString()
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? FETCH_TIMEOUT_MS), ...(options.signal != null ? [options.signal] : [])])
  const stream = await libp2p.dialProtocol(peer, FETCH_PROTOCOL, { signal })
  const onAbort = (): void => { stream.abort(signal.reason as Error) }
  signal.addEventListener('abort', onAbort, { once: true })
  const reader = new StreamReader(stream, FETCH_PROTOCOL, who)
  let buf: Uint8Array | undefined
  let got = 0
  try {
    const req = frame(encodeRequest({ cid, offset }))
    await sendAll(stream, req, { writeSize: req.length, signal })
    await stream.close({ signal })
    const head = await reader.readFrame(FETCH_HEADER_LIMIT)
    if (head == null) throw new ProtocolViolationError(FETCH_PROTOCOL, 'no response header', who)
    const h = decodeHeader(head, who)
    if (!h.ok) throw new FetchRefusedError(key, h.error)
    if (h.size > maxSizeFor(cid)) throw new ProtocolViolationError(FETCH_PROTOCOL, `announced size ${h.size} exceeds the limit for ${key}`, who)
    if (offset > h.size) throw new ProtocolViolationError(FETCH_PROTOCOL, 'size below the requested offset', who)
    const want = h.size - offset
    buf = new Uint8Array(want)
    for await (const piece of reader.rest()) {
      if (got + piece.length > want) throw new ProtocolViolationError(FETCH_PROTOCOL, `sent more than the ${h.size} bytes announced`, who)
      buf.set(piece, got)
      got += piece.length
      options.onBytes?.(got, h.size)
    }
    if (got < want) throw new TruncatedTransferError(key, buf.subarray(0, got), h.size)
    return { size: h.size, data: buf }
  } catch (err) {
    stream.abort(err as Error)
    const e = err as Error
    if (e.name === 'ProtocolViolationError' || e.name === 'FetchRefusedError' || e.name === 'TruncatedTransferError') throw err
    if (signal.aborted && options.signal?.aborted === true) throw options.signal.reason
    // the stream broke: keep what arrived
    throw new TruncatedTransferError(key, buf?.subarray(0, got) ?? new Uint8Array(0), buf != null ? buf.length + offset : 0, { cause: err })
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
