/**
 * `/baobab/sync/1`: the handshake. The initiator and the responder reconcile the sets of their
 * shareable artifacts (`library.syncKeys()`) with `Reconciler`; frames are length-prefixed and
 * bounded, rounds are bounded, and a peer that sends garbage is disconnected.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { SYNC_FRAME_LIMIT, SYNC_MAX_ROUNDS, SYNC_PROTOCOL, SYNC_TIMEOUT_MS } from './constants.ts'
import { ProtocolViolationError, SyncRoundsExceededError } from './errors.ts'
import { ID_SIZE, Reconciler, SyncSet } from './reconcile.ts'
import { StreamReader, frame, sendAll } from './stream-io.ts'
import { varintLength } from './varint.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { SyncItem } from './reconcile.ts'
import type { Library } from '../library/index.ts'
import type { ComponentLogger, Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface SyncResult {
  peer: string
  /** CIDs the peer offers that we lack. */
  need: string[]
  /** CIDs we offer that the peer lacks. */
  have: string[]
  rounds: number
  bytesSent: number
  bytesReceived: number
  ms: number
}

export interface SyncComponents {
  libp2p: MeshLibp2p
  library: Library
  logger: ComponentLogger
}

export interface SyncInit {
  /** Called on the responder with the CIDs the initiator found we lack (and it offers). */
  onOffered?: (peer: string, cids: string[]) => void
  frameLimit?: number
  maxRounds?: number
  timeoutMs?: number
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567'
const B32_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < B32.length; i++) B32_VALUE[B32.charCodeAt(i)] = i
/** CIDv1 dag-cbor sha2-256 in base32: 'b' + 58 characters = 36 bytes: 01 71 12 20 + digest. */
const FAST_CID_LENGTH = 59

function fastId (cid: string): Uint8Array | undefined {
  if (cid.length !== FAST_CID_LENGTH || cid[0] !== 'b') return undefined
  const out = new Uint8Array(36)
  let bits = 0
  let value = 0
  let o = 0
  for (let i = 1; i < cid.length; i++) {
    const v = B32_VALUE[cid.charCodeAt(i)] ?? -1
    if (v < 0) return undefined
    value = (value << 5) | v
    bits += 5
    if (bits >= 8) {
      bits -= 8
      if (o < 36) out[o++] = (value >>> bits) & 0xff
    }
    value &= (1 << bits) - 1
  }
  if (o !== 36 || out[0] !== 0x01 || out[1] !== 0x71 || out[2] !== 0x12 || out[3] !== 0x20) return undefined
  return out.subarray(4)
}

export function cidToId (cid: string): Uint8Array | undefined {
  const fast = fastId(cid)
  if (fast != null) return fast
  try {
    const c = CID.parse(cid)
    if (c.version !== 1 || c.code !== dagCbor.code || c.multihash.code !== sha256.code || c.multihash.digest.length !== ID_SIZE) return undefined
    return c.multihash.digest
  } catch {
    return undefined
  }
}

export function idToCid (id: Uint8Array): string {
  return CID.createV1(dagCbor.code, createDigest(sha256.code, id)).toString()
}

export class SyncService {
  private readonly components: SyncComponents
  private readonly log: Logger
  private readonly frameLimit: number
  private readonly maxRounds: number
  private readonly timeoutMs: number
  private readonly idCache = new Map<string, Uint8Array>()
  private cached: { signature: string, set: SyncSet } | undefined
  private readonly onOffered: ((peer: string, cids: string[]) => void) | undefined

  constructor (components: SyncComponents, init: SyncInit = {}) {
    this.components = components
    this.log = components.logger.forComponent('mesh:sync')
    this.frameLimit = init.frameLimit ?? SYNC_FRAME_LIMIT
    this.maxRounds = init.maxRounds ?? SYNC_MAX_ROUNDS
    this.timeoutMs = init.timeoutMs ?? SYNC_TIMEOUT_MS
    this.onOffered = init.onOffered
  }

  async start (): Promise<void> {
    await this.components.libp2p.handle(SYNC_PROTOCOL, async (stream, connection) => {
      await this.respond(stream, connection)
    }, { maxInboundStreams: 4 })
  }

  async stop (): Promise<void> {
    await this.components.libp2p.unhandle(SYNC_PROTOCOL)
  }

  /** The local set, rebuilt only when the library's shareable keys changed. */
  localSet (): SyncSet {
    const keys = this.components.library.syncKeys()
    // two 32-bit FNV-1a variants over every key: a changed set gets a new signature
    let h1 = 0x811c9dc5
    let h2 = 0x01234567
    let createdSum = 0
    for (const k of keys) {
      createdSum = (createdSum + k.created) % Number.MAX_SAFE_INTEGER
      for (let i = 0; i < k.cid.length; i++) {
        const c = k.cid.charCodeAt(i)
        h1 = Math.imul(h1 ^ c, 0x01000193)
        h2 = Math.imul(h2 ^ c, 0x5bd1e995)
      }
    }
    const signature = `${keys.length}:${createdSum}:${h1 >>> 0}:${h2 >>> 0}`
    if (this.cached?.signature !== signature) this.cached = { signature, set: new SyncSet(this.toItems(keys)) }
    return this.cached.set
  }

  /** The local side of the reconciliation: shareable, trusted artifacts as (created, digest). */
  localItems (): SyncItem[] {
    return this.toItems(this.components.library.syncKeys())
  }

  private toItems (keys: Array<{ created: number, cid: string }>): SyncItem[] {
    const items: SyncItem[] = []
    for (const k of keys) {
      let id = this.idCache.get(k.cid)
      if (id == null) {
        id = cidToId(k.cid)
        if (id == null) continue
        if (this.idCache.size > 200_000) this.idCache.clear()
        this.idCache.set(k.cid, id)
      }
      items.push({ created: k.created, id })
    }
    return items
  }

  /** Reconciles with `peer` and reports which CIDs each side lacks. */
  async syncWith (peer: PeerId | Multiaddr, options: { signal?: AbortSignal } = {}): Promise<SyncResult> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.timeoutMs), ...(options.signal != null ? [options.signal] : [])])
    const started = performance.now()
    const stream = await this.components.libp2p.dialProtocol(peer, SYNC_PROTOCOL, { signal })
    const remote = streamPeer(this.components.libp2p, stream, peer)
    const onAbort = (): void => { stream.abort(signal.reason as Error) }
    signal.addEventListener('abort', onAbort, { once: true })
    const reader = new StreamReader(stream, SYNC_PROTOCOL, remote)
    const rec = new Reconciler(this.localSet(), { frameSizeLimit: this.frameLimit })
    const have: Uint8Array[] = []
    const need: Uint8Array[] = []
    let bytesSent = 0
    let bytesReceived = 0
    let rounds = 0
    try {
      let msg: Uint8Array | null = rec.initiate()
      while (msg != null) {
        if (++rounds > this.maxRounds) throw new SyncRoundsExceededError(this.maxRounds)
        const out = frame(msg)
        bytesSent += out.length
        await sendAll(stream, out, { writeSize: out.length, signal })
        const reply = await reader.readFrame(this.frameLimit)
        if (reply == null) throw new ProtocolViolationError(SYNC_PROTOCOL, 'responder closed the stream mid-reconciliation', remote)
        bytesReceived += reply.length + varintLength(reply.length)
        msg = rec.reconcile(reply, have, need)
      }
      // tell the responder what it lacks, so one session serves both sides
      const perFrame = Math.floor((this.frameLimit - 16) / ID_SIZE)
      for (let i = 0; i < have.length && rounds < this.maxRounds; i += perFrame, rounds++) {
        const out = frame(encodeOffer(have.slice(i, i + perFrame)))
        bytesSent += out.length
        await sendAll(stream, out, { writeSize: out.length, signal })
      }
      await stream.close({ signal })
    } catch (err) {
      this.misbehaved(err, stream, remote)
      if (signal.aborted && (err as Error).name !== 'ProtocolViolationError') throw signal.reason
      throw err
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
    const result: SyncResult = {
      peer: remote ?? peer.toString(),
      need: need.map(idToCid),
      have: have.map(idToCid),
      rounds,
      bytesSent,
      bytesReceived,
      ms: performance.now() - started
    }
    this.log('synced with %s: need %d, have %d, %d rounds, %d B out, %d B in', result.peer, result.need.length, result.have.length, rounds, bytesSent, bytesReceived)
    return result
  }

  private async respond (stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    const signal = AbortSignal.timeout(this.timeoutMs)
    const onAbort = (): void => { stream.abort(new ProtocolViolationError(SYNC_PROTOCOL, 'sync timed out', remote)) }
    signal.addEventListener('abort', onAbort, { once: true })
    const reader = new StreamReader(stream, SYNC_PROTOCOL, remote)
    let rec: Reconciler | undefined
    let rounds = 0
    let offeredTotal = 0
    try {
      for (;;) {
        const msg = await reader.readFrame(this.frameLimit)
        if (msg == null) break
        if (++rounds > this.maxRounds) throw new ProtocolViolationError(SYNC_PROTOCOL, `more than ${this.maxRounds} rounds`, remote)
        if (msg[0] === OFFER_MARKER) {
          const offered = decodeOffer(msg, remote).slice(0, Math.max(0, MAX_OFFERED - offeredTotal))
          offeredTotal += offered.length
          if (offered.length > 0) this.onOffered?.(remote, offered.map(idToCid))
          continue
        }
        rec ??= new Reconciler(this.localSet(), { frameSizeLimit: this.frameLimit })
        let reply: Uint8Array
        try {
          reply = rec.respond(msg)
        } catch (err) {
          throw new ProtocolViolationError(SYNC_PROTOCOL, (err as Error).message, remote, { cause: err })
        }
        await sendAll(stream, frame(reply), { writeSize: reply.length + 8, signal })
      }
      await stream.close({ signal })
    } catch (err) {
      this.misbehaved(err, stream, remote, connection)
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  /** Logs why a sync failed; on a protocol violation, hangs up on the peer. */
  private misbehaved (err: unknown, stream: Stream, remote: string | undefined, connection?: Connection): void {
    const e = err as Error
    stream.abort(e)
    if (e.name === 'ProtocolViolationError' || e.name === 'InvalidSyncMessageError') {
      this.log.error('disconnecting %s: %s', remote ?? 'peer', e.message)
      if (connection != null) {
        connection.abort(e)
      } else if (remote != null) {
        for (const c of this.components.libp2p.getConnections()) if (c.remotePeer.toString() === remote) c.abort(e)
      }
    } else {
      this.log('sync with %s ended: %s', remote ?? 'peer', e.message)
    }
  }
}

/** The closing frame of an initiator: ids the responder lacks. 0xFE, count (u16), ids. */
const OFFER_MARKER = 0xfe
/** Offered CIDs accepted from one session; the rest wait for the next sync. */
const MAX_OFFERED = 4096

function encodeOffer (ids: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(3 + ids.length * ID_SIZE)
  out[0] = OFFER_MARKER
  out[1] = ids.length >> 8
  out[2] = ids.length & 0xff
  ids.forEach((id, i) => { out.set(id, 3 + i * ID_SIZE) })
  return out
}

function decodeOffer (msg: Uint8Array, remote: string): Uint8Array[] {
  const count = ((msg[1] ?? 0) << 8) | (msg[2] ?? 0)
  if (msg.length !== 3 + count * ID_SIZE) throw new ProtocolViolationError(SYNC_PROTOCOL, 'malformed offer frame', remote)
  return Array.from({ length: count }, (_, i) => msg.subarray(3 + i * ID_SIZE, 3 + (i + 1) * ID_SIZE))
}

/** The peer id on the other end of an outbound stream. */
export function streamPeer (libp2p: MeshLibp2p, stream: Stream, target: PeerId | Multiaddr): string | undefined {
  for (const c of libp2p.getConnections()) {
    if (c.streams.includes(stream)) return c.remotePeer.toString()
  }
  if ('getComponents' in target) return target.getComponents().find(c => c.name === 'p2p')?.value
  return target.toString()
}
