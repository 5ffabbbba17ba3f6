/**
 * Stream helpers: writes that respect back-pressure, and bounded reads.
 *
 * `stream.onDrain()` in @libp2p/utils 7.4 resolves at once on every call after the first, so a
 * loop built on it buffers the whole transfer. We wait for the stream's `'drain'` event instead
 * (and give up on `'close'` or abort), which keeps at most one write queued.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import { ProtocolViolationError } from './errors.ts'
import { readVarint, varintBytes } from './varint.ts'
import type { MessageStream, Stream } from '@libp2p/interface'

/** A frame's length prefix is at most 5 bytes (35 bits; every limit is far below). */
const MAX_PREFIX_BYTES = 5

class StreamClosedWhileWritingError extends Error {
  constructor (options?: ErrorOptions) {
    super('stream closed while waiting to write', options)
    this.name = 'StreamClosedWhileWritingError'
  }
}

/** Resolves on the next `'drain'`; rejects on `'close'` or abort. */
export async function waitForDrain (stream: MessageStream, signal?: AbortSignal): Promise<void> {
  if (!stream.writableNeedsDrain) return
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    const onDrain = (): void => { cleanup(); resolve() }
    const onClose = (evt: Event): void => {
      cleanup()
      reject(new StreamClosedWhileWritingError({ cause: (evt as { error?: Error }).error }))
    }
    const onAbort = (): void => { cleanup(); reject(signal?.reason) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}

/** Sends `data` in `writeSize` pieces, waiting for `'drain'` whenever the stream asks. */
export async function sendAll (
  stream: MessageStream, data: Uint8Array, options: { writeSize: number, signal?: AbortSignal, onSent?: (n: number) => Promise<void> | void }
): Promise<void> {
  for (let off = 0; off < data.length; off += options.writeSize) {
    options.signal?.throwIfAborted()
    const part = data.subarray(off, Math.min(off + options.writeSize, data.length))
    if (!stream.send(part)) await waitForDrain(stream, options.signal)
    if (options.onSent != null) await options.onSent(part.length)
  }
}

/** Encodes one frame: unsigned varint length, then the bytes. */
export function frame (bytes: Uint8Array): Uint8Array {
  const head = varintBytes(bytes.length)
  const out = new Uint8Array(head.length + bytes.length)
  out.set(head, 0)
  out.set(bytes, head.length)
  return out
}

/**
 * Reads length-prefixed frames and raw bytes from a stream's async iterator, refusing frames
 * above `limit`. One reader per stream.
 */
export class StreamReader {
  private readonly buf = new Uint8ArrayList()
  private readonly it: AsyncIterator<Uint8Array | Uint8ArrayList>
  private readonly protocol: string
  private readonly peer: string | undefined
  private ended = false

  private next: Promise<IteratorResult<Uint8Array | Uint8ArrayList>> | undefined

  constructor (stream: Stream | MessageStream, protocol: string, peer?: string) {
    this.it = stream[Symbol.asyncIterator]()
    // start iterating now: until a 'message' listener exists the stream buffers incoming
    // data itself and resets past 4 MiB
    this.next = this.it.next()
    this.next.catch(() => {})
    this.protocol = protocol
    this.peer = peer
  }

  /** Pulls one more piece from the stream; false at end. */
  private async pull (): Promise<boolean> {
    if (this.ended) return false
    const pending = this.next ?? this.it.next()
    this.next = undefined
    const r = await pending
    if (r.done === true) { this.ended = true; return false }
    this.buf.append(r.value)
    return true
  }

  /** The next frame, or null at a clean end of stream. */
  async readFrame (limit: number): Promise<Uint8Array | null> {
    for (;;) {
      const head = readVarint(this.buf.subarray(0, Math.min(this.buf.byteLength, MAX_PREFIX_BYTES)), 0, MAX_PREFIX_BYTES)
      if (head === 'too-long') throw new ProtocolViolationError(this.protocol, 'frame length prefix too long', this.peer)
      if (head !== 'truncated') {
        const { value: len, length: i } = head
        if (len > limit) throw new ProtocolViolationError(this.protocol, `frame of ${len} bytes exceeds the ${limit}-byte limit`, this.peer)
        if (this.buf.byteLength >= i + len) {
          const out = this.buf.subarray(i, i + len)
          this.buf.consume(i + len)
          return out
        }
      }
      if (!await this.pull()) {
        if (this.buf.byteLength === 0) return null
        throw new ProtocolViolationError(this.protocol, 'stream ended inside a frame', this.peer)
      }
    }
  }

  /**
   * Fills `buf` with the next raw bytes, copying each piece straight in; returns how many arrived
   * (fewer than `buf.length` only at the end of the stream). `onBytes` gets the count so far.
   */
  async readInto (buf: Uint8Array, onBytes?: (got: number) => void): Promise<number> {
    let got = 0
    for (;;) {
      if (this.buf.byteLength > 0) {
        const n = Math.min(this.buf.byteLength, buf.length - got)
        let left = n
        for (const piece of this.buf) {
          if (left === 0) break
          const part = piece.length <= left ? piece : piece.subarray(0, left)
          buf.set(part, got)
          got += part.length
          left -= part.length
        }
        this.buf.consume(n)
        onBytes?.(got)
      }
      if (got === buf.length || !await this.pull()) return got
    }
  }

  /** Raw bytes as they arrive (after any frames), until end of stream. */
  async * rest (): AsyncGenerator<Uint8Array> {
    if (this.buf.byteLength > 0) {
      const first = this.buf.subarray()
      this.buf.consume(first.length)
      yield first
    }
    while (await this.pull()) {
      for (const piece of this.buf) yield piece
      this.buf.consume(this.buf.byteLength)
    }
  }
}
