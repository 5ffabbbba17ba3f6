/**
 * Fetches an adapter's weight chunks from several peers at once. One `/baobab/fetch/2` stream per
 * peer carries a window of pipelined requests (`perPeerConcurrency`); a peer with room in its
 * window takes the next missing chunk, so a faster peer serves more. Every chunk is verified
 * against its CID before it is stored (hashed off the event loop while the stream goes on), a
 * broken stream resumes a chunk from the bytes already received, and a chunk a peer corrupted is
 * fetched again from another peer. Chunks already in the blob store are skipped, which is what
 * makes a transfer resume after a restart.
 */
import { CID } from 'multiformats/cid'
import { DEFAULT_PEER_CONCURRENCY, MAX_BAD_CHUNKS_PER_PEER } from './constants.ts'
import { ChunkVerificationError, FetchFailedError } from './errors.ts'
import { FetchSession, TruncatedTransferError } from './fetch-client.ts'
import type { MeshLibp2p } from './libp2p-node.ts'
import type { BlobStore } from '../library/index.ts'
import type { Logger, PeerId } from '@libp2p/interface'

export type ChunkProgressEvent =
  | { type: 'chunk:verified', cid: string, peer: string, done: number, total: number, bytes: number }
  | { type: 'chunk:corrupt', cid: string, peer: string, error: ChunkVerificationError }
  | { type: 'chunk:retry', cid: string, peer: string, offset: number, reason: string }
  /** Bytes of one chunk so far (at most every 256 KiB). */
  | { type: 'chunk:bytes', cid: string, peer: string, received: number, size: number }

export interface ChunkFetchOptions {
  signal?: AbortSignal
  onProgress?: (e: ChunkProgressEvent) => void
  perPeerConcurrency?: number
  /** Stream failures tolerated per peer before it is dropped for this fetch. */
  maxFailuresPerPeer?: number
  /**
   * Re-hash chunks already present before trusting them (a resumed transfer: its chunks were
   * written without fsync, so a power loss may have damaged one).
   */
  verifyPresent?: boolean
  /** Fetch streams already open, by peer id (the artifact's source): used, then ended. */
  sessions?: Map<string, FetchSession>
}

export interface ChunkFetchResult {
  fetched: number
  skipped: number
  bytes: number
  byPeer: Record<string, number>
}

interface PeerState {
  id: PeerId
  key: string
  /** Requests on the wire (the window in use). */
  active: number
  failures: number
  bad: number
  dead: boolean
  session?: Promise<FetchSession>
}

function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/**
 * Requests in flight per peer: all of `perPeer` with one or two providers; with more, a share of
 * twice that (at least 2, so each stream still has its next request waiting), so that four
 * seeders do not put four times the requests in flight.
 */
function windowFor (perPeer: number, peers: number): number {
  return Math.min(perPeer, Math.max(2, Math.ceil(2 * perPeer / Math.max(1, peers))))
}

export async function fetchChunks (
  libp2p: MeshLibp2p, blobs: BlobStore, log: Logger, chunks: string[], providers: PeerId[], options: ChunkFetchOptions = {}
): Promise<ChunkFetchResult> {
  const perPeer = options.perPeerConcurrency ?? DEFAULT_PEER_CONCURRENCY
  const maxFailures = options.maxFailuresPerPeer ?? 3
  const unique = [...new Set(chunks)]
  const queue: string[] = []
  for (const c of unique) {
    const present = options.verifyPresent === true ? await blobs.verify(c) : blobs.has(c)
    if (!present) queue.push(c)
  }
  const total = queue.length
  const result: ChunkFetchResult = { fetched: 0, skipped: unique.length - queue.length, bytes: 0, byPeer: {} }
  if (queue.length === 0) {
    for (const s of options.sessions?.values() ?? []) s.end()
    await blobs.flush(unique)
    return result
  }
  blobs.warm()
  const peers = new Map<string, PeerState>()
  for (const id of providers) peers.set(id.toString(), { id, key: id.toString(), active: 0, failures: 0, bad: 0, dead: false })
  for (const [key, s] of options.sessions ?? []) {
    const p = peers.get(key)
    if (p != null) p.session = Promise.resolve(s)
    else s.end()
  }
  const excluded = new Map<string, Set<string>>()
  const partial = new Map<string, { peer: string, data: Uint8Array }>()
  const attempts: string[] = []
  /** Chunk → peers it is being fetched from (two at once only in the end game). */
  const running = new Map<string, Set<string>>()
  const storing = new Set<string>()
  const done = new Set<string>()
  /** Buffers the blob store handed back after writing a chunk: the next chunks are received into them. */
  const spare: Uint8Array[] = []
  const alloc = (size: number): Uint8Array => {
    const i = spare.findIndex(b => b.length === size)
    return i >= 0 ? spare.splice(i, 1)[0] as Uint8Array : new Uint8Array(size)
  }
  const exclude = (c: string, peer: string): void => {
    let s = excluded.get(c)
    if (s == null) excluded.set(c, s = new Set())
    s.add(peer)
  }
  const sessionOf = (p: PeerState): Promise<FetchSession> => {
    if (p.session == null) {
      p.session = FetchSession.open(libp2p, p.id, { signal: options.signal })
      p.session.catch(() => {})
    }
    return p.session
  }
  /** Forgets `p`'s stream (a new one is opened when needed) and ends it: now, or after its answers. */
  const closeSession = (p: PeerState, reason?: Error): void => {
    const sp = p.session
    p.session = undefined
    sp?.then(s => { if (reason != null || s.waiting > 0) s.abort(reason); else s.end() }, () => {})
  }
  const requeue = (c: string): void => {
    if (!done.has(c) && (running.get(c)?.size ?? 0) <= 1) queue.unshift(c) // else the end game's other request goes on
  }

  const runOne = async (p: PeerState, c: string, free: () => void): Promise<void> => {
    const part = partial.get(c)
    const prefix = part?.peer === p.key ? part.data : new Uint8Array(0)
    const sp = sessionOf(p)
    try {
      let reported = 0
      const session = await sp
      const r = await session.request(CID.parse(c), {
        offset: prefix.length,
        alloc,
        onBytes: options.onProgress == null
          ? undefined
          : (got, size) => {
              if (got - reported < 256 * 1024 && got + prefix.length < size) return
              reported = got
              options.onProgress?.({ type: 'chunk:bytes', cid: c, peer: p.key, received: prefix.length + got, size })
            }
      })
      free()
      partial.delete(c)
      if (done.has(c) || storing.has(c)) return // the other peer of an end-game pair was first
      const data = prefix.length > 0 ? concat(prefix, r.data) : r.data
      const size = data.length
      // the blob store hashes what it stores (on its worker thread) and refuses a mismatch
      storing.add(c)
      let mismatch: string | undefined
      try {
        // no fsync per chunk: one flush for the whole set below, before anyone refers to them;
        // the buffer moves to the worker, no copy
        const back = await blobs.putVerifiedAsync(c, data, { durable: false, transfer: true })
        if (back != null && spare.length < perPeer * 2) spare.push(back)
      } catch (err) {
        if ((err as Error).name !== 'ChunkMismatchError') throw err
        mismatch = (err as { actual: string }).actual
      } finally {
        storing.delete(c)
      }
      if (mismatch != null) {
        const error = new ChunkVerificationError(c, mismatch, p.key)
        log.error('%s', error.message)
        p.bad++
        if (p.bad >= MAX_BAD_CHUNKS_PER_PEER) {
          p.dead = true
          if (p.session === sp) closeSession(p, error)
        }
        exclude(c, p.key)
        attempts.push(`${p.key}: corrupt chunk`)
        requeue(c)
        options.onProgress?.({ type: 'chunk:corrupt', cid: c, peer: p.key, error })
        return
      }
      done.add(c)
      result.fetched++
      result.bytes += size
      result.byPeer[p.key] = (result.byPeer[p.key] ?? 0) + 1
      options.onProgress?.({ type: 'chunk:verified', cid: c, peer: p.key, done: result.fetched, total, bytes: size })
      // an end-game loser whose stream carries nothing else useful is cut short
      for (const other of running.get(c) ?? []) {
        const q = peers.get(other)
        if (q != null && q !== p && [...running].every(([x, on]) => !on.has(other) || done.has(x))) closeSession(q, new Error('fetched from another peer'))
      }
    } catch (err) {
      free()
      if (options.signal?.aborted === true) throw err
      const e = err as Error
      const broken = await sp.then(s => s.failed, () => true)
      if (broken && p.session === sp) p.session = undefined
      if (done.has(c)) return // lost the end-game race: not a failure of this peer
      if (e.name === 'FetchStreamEndedError') { requeue(c); return } // never asked of the peer: not its failure
      attempts.push(`${p.key}: ${e.message}`)
      if (e instanceof TruncatedTransferError) {
        if (e.received.length > 0) partial.set(c, { peer: p.key, data: concat(prefix, e.received) })
        p.failures++
      } else if (e.name === 'FetchRefusedError' && (e as { code?: string }).code === 'not-found') {
        // a peer holding the adapter holds all its chunks: this one does not have it
        p.dead = true
      } else if (e.name === 'FetchRefusedError' && (e as { code?: string }).code === 'bad-offset') {
        partial.delete(c)
        p.failures++
      } else if (e.name === 'ProtocolViolationError') {
        p.dead = true
      } else {
        p.failures++
      }
      if (p.failures >= maxFailures) p.dead = true
      if (p.dead && p.session === sp) closeSession(p, e)
      requeue(c)
      const offset = partial.get(c)?.peer === p.key ? partial.get(c)?.data.length ?? 0 : 0
      log('chunk %s from %s failed (%s); requeued', c, p.key, e.message)
      options.onProgress?.({ type: 'chunk:retry', cid: c, peer: p.key, offset, reason: e.message })
    }
  }

  /** End game: an idle peer races the chunk last in line at another peer (it would arrive last). */
  const endGame = (p: PeerState): string | undefined => {
    if (p.active > 0) return undefined
    for (const [c, peersOf] of [...running].reverse()) {
      if (peersOf.size === 1 && !peersOf.has(p.key) && !done.has(c) && !storing.has(c) && excluded.get(c)?.has(p.key) !== true) return c
    }
    return undefined
  }

  try {
    await new Promise<void>((resolve, reject) => {
      let inFlight = 0
      let finished = false
      const finish = (err?: unknown): void => {
        if (finished) return
        finished = true
        if (err != null) reject(err)
        else resolve()
      }
      const pump = (): void => {
        if (finished) return
        if (done.size === total) { finish(); return }
        if (options.signal?.aborted === true) {
          if (inFlight === 0) finish(options.signal.reason)
          return
        }
          const window = windowFor(perPeer, [...peers.values()].filter(p => !p.dead).length)
        for (const p of peers.values()) {
          while (!p.dead && p.active < window) {
            const idx = queue.findIndex(c => excluded.get(c)?.has(p.key) !== true)
            // end game: nothing left to hand out, so an idle peer races a chunk another peer holds
            const c = idx >= 0 ? queue.splice(idx, 1)[0] as string : endGame(p)
            if (c == null) break
            let mine = running.get(c)
            if (mine == null) running.set(c, mine = new Set())
            mine.add(p.key)
            p.active++
            inFlight++
            let freed = false
            const free = (): void => {
              if (freed) return
              freed = true
              p.active--
              pump()
            }
            runOne(p, c, free)
              .catch(err => { if (options.signal?.aborted !== true) log.error('chunk task failed: %e', err) })
              .finally(() => {
                mine.delete(p.key)
                if (mine.size === 0) running.delete(c)
                inFlight--
                free()
                pump()
              })
          }
        }
        if (inFlight > 0) return
        if (queue.length === 0) finish()
        else finish(new FetchFailedError(queue[0] as string, attempts.slice(-8)))
      }
      pump()
    })
  } finally {
    for (const p of peers.values()) if (p.session != null) closeSession(p)
  }
  await blobs.flush(unique)
  return result
}
