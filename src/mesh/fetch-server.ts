/**
 * Serves `/baobab/fetch/2`: shareable artifacts and weight chunks, each stream's requests answered
 * in order, with per-peer limits.
 */
import * as raw from 'multiformats/codecs/raw'
import { CHUNK_SIZE } from '../artifacts/index.ts'
import { DEFAULT_SERVE_CONCURRENCY, FETCH_PROTOCOL, FETCH_REQUEST_LIMIT, WRITE_SIZE } from './constants.ts'
import { decodeRequest, encodeHeader } from './fetch-wire.ts'
import { PeerLimits } from './rate-limit.ts'
import { StreamReader, frame, sendAll } from './stream-io.ts'
import type { FetchHeader } from './fetch-wire.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { Clock } from '../limits/index.ts'
import type { Library } from '../library/index.ts'
import type { ComponentLogger, Connection, Logger, Stream } from '@libp2p/interface'

export interface ServedEvent {
  peer: string
  cid: string
  offset: number
  bytes: number
}

export interface FetchServerComponents {
  libp2p: MeshLibp2p
  library: Library
  logger: ComponentLogger
  clock?: Clock
}

export interface FetchServerInit {
  /** Fetch streams served at once to one peer (default 8). */
  concurrency?: number
  /** Bytes per second sent to one peer; 0 = unlimited (default). */
  bytesPerSecond?: number
  writeSize?: number
  /** Replaces what is served (tests: a peer that corrupts chunks). */
  transform?: (cid: string, bytes: Uint8Array) => Uint8Array
  onServed?: (e: ServedEvent) => void
}

interface Prepared {
  key: string
  offset: number
  bytes: Uint8Array | undefined
  /** The stream's read buffer this answer holds, reused once the answer is sent. */
  buf?: Uint8Array
}

export class FetchServer {
  private readonly components: FetchServerComponents
  private readonly init: FetchServerInit
  private readonly log: Logger
  private readonly limits: PeerLimits
  private readonly writeSize: number

  constructor (components: FetchServerComponents, init: FetchServerInit = {}) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('mesh:fetch:serve')
    this.limits = new PeerLimits({
      concurrency: init.concurrency ?? DEFAULT_SERVE_CONCURRENCY, bytesPerSecond: init.bytesPerSecond ?? 0, clock: components.clock
    })
    this.writeSize = init.writeSize ?? WRITE_SIZE
  }

  async start (): Promise<void> {
    await this.components.libp2p.handle(FETCH_PROTOCOL, async (stream, connection) => {
      await this.serve(stream, connection)
    }, { maxInboundStreams: this.limits.concurrency * 2 })
  }

  async stop (): Promise<void> {
    await this.components.libp2p.unhandle(FETCH_PROTOCOL)
  }

  /**
   * The bytes this node offers under `cid`, or undefined: a trusted shareable artifact, or a
   * weight chunk of one (chunks of held, private or half-fetched adapters are not served).
   */
  async lookup (cid: string, isRaw: boolean, into?: Uint8Array): Promise<Uint8Array | undefined> {
    const { library } = this.components
    if (isRaw) return library.sharesChunk(cid) ? library.blobs.read(cid, into) : undefined
    const a = library.get(cid)
    return a != null && a.shareable && a.status === 'trusted' ? a.bytes : undefined
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const reader = new StreamReader(stream, FETCH_PROTOCOL, peer)
    let acquired = false
    /**
     * Chunk buffers of this stream: one answer is sent while the next is read, and a buffer is
     * reused only after its whole answer went through `sendAll` (encrypted, nothing of it queued),
     * so a stream does not allocate a new megabyte per chunk.
     */
    const spare: Uint8Array[] = []
    const reply = async (h: FetchHeader): Promise<void> => {
      const f = frame(encodeHeader(h))
      await sendAll(stream, f, { writeSize: f.length })
    }
    /** Reads the next request and looks up what answers it (null at the end of the requests). */
    const prepare = async (): Promise<Prepared | null> => {
      const req = await reader.readFrame(FETCH_REQUEST_LIMIT)
      if (req == null) return null
      const { cid, offset } = decodeRequest(req, peer)
      const key = cid.toString()
      const buf = acquired && cid.code === raw.code ? spare.pop() ?? new Uint8Array(CHUNK_SIZE) : undefined
      let bytes = acquired ? await this.lookup(key, cid.code === raw.code, buf) : undefined
      if (bytes != null && this.init.transform != null) bytes = this.init.transform(key, bytes)
      return { key, offset, bytes, buf }
    }
    try {
      acquired = this.limits.acquire(peer)
      let next = prepare()
      for (;;) {
        const cur = await next
        if (cur == null) break
        if (!acquired) { await reply({ ok: false, error: 'busy' }); break }
        // the following request is read and looked up while this answer is sent
        next = prepare()
        next.catch(() => {})
        const { key, offset, bytes, buf } = cur
        if (bytes == null || offset > bytes.length) {
          if (buf != null) spare.push(buf)
          await reply({ ok: false, error: bytes == null ? 'not-found' : 'bad-offset' })
          continue
        }
        const bucket = this.limits.bucket(peer)
        const onSent = this.limits.bytesPerSecond > 0 ? async (n: number): Promise<void> => { await bucket.take(n) } : undefined
        // the header travels with the bytes that do not fill a whole write, so every later
        // write is a full one and no answer ends in a small extra message
        const body = bytes.subarray(offset)
        const head = frame(encodeHeader({ ok: true, size: bytes.length }))
        const first = body.subarray(0, body.length % this.writeSize)
        const lead = new Uint8Array(head.length + first.length)
        lead.set(head, 0)
        lead.set(first, head.length)
        await sendAll(stream, lead, { writeSize: lead.length })
        if (first.length > 0) await onSent?.(first.length)
        await sendAll(stream, body.subarray(first.length), { writeSize: this.writeSize, onSent })
        // a rate-limited answer ends with a wait, during which the requester may have gone
        if (stream.writeStatus !== 'writable') throw new Error('stream closed during the answer')
        if (buf != null) spare.push(buf)
        this.log.trace('served %s from %d to %s', key, offset, peer)
        this.init.onServed?.({ peer, cid: key, offset, bytes: bytes.length - offset })
      }
      await stream.close()
    } catch (err) {
      const e = err as Error
      stream.abort(e)
      if (e.name === 'ProtocolViolationError') {
        this.log.error('disconnecting %s: %s', peer, e.message)
        connection.abort(e)
      } else {
        this.log('fetch request from %s ended: %s', peer, e.message)
      }
    } finally {
      if (acquired) this.limits.release(peer)
    }
  }
}
