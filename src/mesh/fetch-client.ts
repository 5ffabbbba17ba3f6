/**
 * The requesting side of `/baobab/fetch/2`: one stream to a peer carries any number of
 * pipelined requests, answered in order, so a transfer pays one dial and negotiation per peer,
 * not per chunk, and the peer always has the next request at hand.
 */
import { FETCH_HEADER_LIMIT, FETCH_PROTOCOL, FETCH_TIMEOUT_MS } from './constants.ts'
import { FetchRefusedError, MeshError, ProtocolViolationError } from './errors.ts'
import { decodeHeader, encodeRequest, maxSizeFor } from './fetch-wire.ts'
import { StreamReader, frame } from './stream-io.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { PeerId, Stream } from '@libp2p/interface'
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

/** A request still waiting its turn when its stream ended: nothing of it arrived. */
export class FetchStreamEndedError extends MeshError {
  static override readonly retryable = true
  constructor (cid: string, options?: ErrorOptions) {
    super(`the fetch stream ended before ${cid} was answered`, options)
  }
}

export interface RequestOptions {
  offset?: number
  signal?: AbortSignal
  /** Limit for one answer, from the time it is next in line (default `FETCH_TIMEOUT_MS`). */
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

/** A buffer of exactly `size` bytes to receive an answer into (e.g. one a stored chunk freed). */
export type Allocate = (size: number) => Uint8Array

interface Pending {
  cid: CID
  key: string
  offset: number
  alloc?: Allocate
  onBytes?: (received: number, size: number) => void
  resolve: (r: RequestResult) => void
  reject: (err: unknown) => void
}

/** One `/baobab/fetch/2` stream to one peer. */
export class FetchSession {
  readonly peer: string
  private readonly stream: Stream
  private readonly reader: StreamReader
  private readonly queue: Pending[] = []
  private readonly timeoutMs: number
  private readonly signal: AbortSignal | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private failure: unknown
  private ending = false

  static async open (libp2p: MeshLibp2p, peer: PeerId, options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<FetchSession> {
    const timeoutMs = options.timeoutMs ?? FETCH_TIMEOUT_MS
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(options.signal != null ? [options.signal] : [])])
    const stream = await libp2p.dialProtocol(peer, FETCH_PROTOCOL, { signal })
    return new FetchSession(stream, peer.toString(), timeoutMs, options.signal)
  }

  private constructor (stream: Stream, peer: string, timeoutMs: number, signal: AbortSignal | undefined) {
    this.stream = stream
    this.peer = peer
    this.timeoutMs = timeoutMs
    this.signal = signal
    this.reader = new StreamReader(stream, FETCH_PROTOCOL, peer)
    signal?.addEventListener('abort', this.onAbort, { once: true })
    if (signal?.aborted === true) this.onAbort()
    void this.loop()
  }

  /** Requests not answered yet. */
  get waiting (): number {
    return this.queue.length
  }

  /** True once the stream has failed or been aborted: every request on it is settled. */
  get failed (): boolean {
    return this.failure !== undefined
  }

  /** Asks for the bytes of `cid` from `offset` to its end; answers come in request order. */
  async request (cid: CID, options: { offset?: number, alloc?: Allocate, onBytes?: (received: number, size: number) => void } = {}): Promise<RequestResult> {
    const key = cid.toString()
    if (this.failed || this.ending) throw new FetchStreamEndedError(key, { cause: this.failure })
    const offset = options.offset ?? 0
    const { promise, resolve, reject } = Promise.withResolvers<RequestResult>()
    this.queue.push({ cid, key, offset, alloc: options.alloc, onBytes: options.onBytes, resolve, reject })
    if (this.queue.length === 1) this.arm()
    try {
      // a request frame is tiny: queued even when the stream asks to wait
      this.stream.send(frame(encodeRequest({ cid, offset })))
    } catch (err) {
      this.fail(err)
    }
    return promise
  }

  /** Nothing more will be asked: the peer closes the stream after its last answer. */
  end (): void {
    if (this.ending || this.failed) return
    this.ending = true
    this.stream.close().catch(err => { this.fail(err) })
  }

  /** Ends the stream now; requests not yet answered fail with `FetchStreamEndedError`. */
  abort (reason: Error = new Error('fetch stream closed')): void {
    this.fail(reason)
  }

  private readonly onAbort = (): void => { this.fail(this.signal?.reason) }

  /** A limit for the answer now in line. */
  private arm (): void {
    clearTimeout(this.timer)
    if (this.queue.length === 0) return
    this.timer = setTimeout(() => { this.fail(new DOMException(`no answer within ${this.timeoutMs} ms`, 'TimeoutError')) }, this.timeoutMs)
    this.timer.unref?.()
  }

  private async loop (): Promise<void> {
    let partial: { data: Uint8Array, size: number } | undefined
    try {
      for (;;) {
        const head = await this.reader.readFrame(FETCH_HEADER_LIMIT)
        const p = this.queue[0]
        if (head == null) {
          if (p == null && this.ending) break
          throw new Error('stream ended before the answer')
        }
        if (p == null) throw new ProtocolViolationError(FETCH_PROTOCOL, 'an answer to no request', this.peer)
        const h = decodeHeader(head, this.peer)
        if (!h.ok) {
          this.next().reject(new FetchRefusedError(p.key, h.error))
          continue
        }
        if (h.size > maxSizeFor(p.cid)) throw new ProtocolViolationError(FETCH_PROTOCOL, `announced size ${h.size} exceeds the limit for ${p.key}`, this.peer)
        if (p.offset > h.size) throw new ProtocolViolationError(FETCH_PROTOCOL, 'size below the requested offset', this.peer)
        const data = p.alloc?.(h.size - p.offset) ?? new Uint8Array(h.size - p.offset)
        const cur = partial = { data: data.subarray(0, 0), size: h.size }
        const got = await this.reader.readInto(data, n => {
          cur.data = data.subarray(0, n)
          p.onBytes?.(n, h.size)
        })
        if (got < data.length) throw new Error('stream ended inside an answer')
        partial = undefined
        this.next().resolve({ size: h.size, data })
      }
      this.settle()
    } catch (err) {
      this.fail(err, partial)
    }
  }

  /** Takes the answered request off the queue and arms the limit for the next one. */
  private next (): Pending {
    const p = this.queue.shift() as Pending
    this.arm()
    return p
  }

  private settle (): void {
    clearTimeout(this.timer)
    this.signal?.removeEventListener('abort', this.onAbort)
  }

  private fail (err: unknown, partial?: { data: Uint8Array, size: number }): void {
    if (this.failure === undefined) {
      this.failure = err ?? new Error('fetch stream failed')
      this.settle()
      this.stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
    const [first, ...rest] = this.queue.splice(0)
    const aborted = this.signal?.aborted === true
    if (first != null) {
      const name = (err as Error | undefined)?.name
      if (aborted) first.reject(this.signal?.reason)
      else if (name === 'ProtocolViolationError') first.reject(err)
      else first.reject(new TruncatedTransferError(first.key, partial?.data ?? new Uint8Array(0), partial?.size ?? 0, { cause: err }))
    }
    for (const p of rest) p.reject(aborted ? this.signal?.reason : new FetchStreamEndedError(p.key, { cause: err }))
  }
}

/** One request on a stream of its own: the bytes of `cid` from `offset` to the end. */
export async function requestBytes (libp2p: MeshLibp2p, peer: PeerId, cid: CID, options: RequestOptions = {}): Promise<RequestResult> {
  const session = await FetchSession.open(libp2p, peer, { signal: options.signal, timeoutMs: options.timeoutMs })
  const answer = session.request(cid, { offset: options.offset, onBytes: options.onBytes })
  session.end()
  return answer
}
