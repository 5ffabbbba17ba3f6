/**
 * Query: exact fingerprint first, then band keys. Records found on the DHT point at packets (and
 * reproductions) that are fetched through the `fetchPacket` hook, admitted and stored; the answer
 * is then computed from the local library, so the node's own packets and everything fetched
 * before count too. Similarity is always computed locally.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { logger } from '@libp2p/logger'
import { DEFAULT_MAX_FETCH, DEFAULT_MIN_SIMILARITY, DEFAULT_NETWORK_MS, DHT_KEY_CONCURRENCY } from './constants.ts'
import { admitListed } from './admission.ts'
import { PacketRefusedError } from './errors.ts'
import { mapLimit } from '../limits/index.ts'
import { contextText } from './context-text.ts'
import { networkReport } from './dht-publisher.ts'
import { cosine } from '../embedding/index.ts'
import { exactKey, normaliseContext } from './fingerprint.ts'
import type { Listed } from './admission.ts'
import type { DhtPublisher, NetworkReport } from './dht-publisher.ts'
import type { NearFingerprinter, OutcomeContext } from './fingerprint.ts'
import type { OutcomeIndex } from './outcome-index.ts'
import type { OutcomeBody } from '../artifacts/index.ts'
import type { Admission, Library, Status } from '../library/index.ts'

const log = logger('baobab:outcomes:query')

/**
 * Fetches a packet's bytes from peers. `providers` are peer ids likely to hold it (the record
 * entry's author). If the hook stores what it fetched (the mesh's fetch does), the service marks
 * a packet that then fails admission as `rejected`, so it is never used.
 */
export type FetchPacket = (cid: string, options: { signal?: AbortSignal, providers?: string[] }) => Promise<Uint8Array | undefined>

export type OutcomeProgress =
  | { type: 'outcomes:dht-get', key: string, values: number }
  | { type: 'outcomes:dht-put', key: string, stored: number, failed: number }
  | { type: 'outcomes:fetch', cid: string, ok: boolean }

export interface QueryOptions {
  signal?: AbortSignal
  onProgress?: (event: OutcomeProgress) => void
  /** Only the local library, no DHT. */
  local?: boolean
  /** Time limit of the network part (default 5 s); the answer then comes from the library. */
  networkMs?: number
  minSimilarity?: number
  maxFetch?: number
}

export interface OutcomeMatch {
  cid: string
  author: string
  body: OutcomeBody
  match: 'exact' | 'near'
  similarity: number
  /** 'dht' when fetched by this query, else 'local'. */
  source: 'local' | 'dht'
  status: Status
  own: boolean
}

export interface QueryProblem {
  key: string
  cid?: string
  from?: string
  error: string
  message?: string
}

export interface QueryResult {
  context: OutcomeContext
  keys: { exact: string, near: string[] }
  matches: OutcomeMatch[]
  /** Records or packets refused (bad signatures, foreign packets) or not fetchable. */
  rejected: QueryProblem[]
  fetched: number
  /** What the network part reached (`skipped` says why it did not run). */
  network: NetworkReport
}

export interface QueryDeps {
  library: Library
  index: OutcomeIndex
  fingerprinter: NearFingerprinter
  publisher: DhtPublisher
  fetchPacket: FetchPacket | undefined
  admission: Pick<Admission, 'admitVerified'> | undefined
  author: string
  embed: (texts: string[], signal?: AbortSignal) => Promise<Float32Array[]>
}

async function fromDht (deps: QueryDeps, keys: string[], options: QueryOptions, rejected: QueryProblem[], network: NetworkReport): Promise<Set<string>> {
  const fetched = new Set<string>()
  const listed: Listed[] = []
  const deadline = AbortSignal.timeout(options.networkMs ?? DEFAULT_NETWORK_MS)
  const reads = await mapLimit(keys, DHT_KEY_CONCURRENCY, async key => deps.publisher.get(key, { signal: options.signal, deadline }))
  Object.assign(network, networkReport(reads.flatMap(r => r != null ? [r.reach] : []), network.peers))
  reads.forEach((read, i) => {
    const key = keys[i]!
    if (read == null) return
    options.onProgress?.({ type: 'outcomes:dht-get', key, values: read.values })
    for (const r of read.rejected) rejected.push({ key, from: r.from, error: r.error })
    for (const e of read.record?.entries ?? []) for (const c of e.cids) listed.push({ cid: c.toString(), key, author: e.author })
  })
  const budget = options.maxFetch ?? DEFAULT_MAX_FETCH
  const wanted = listed.filter((l, i) => !deps.library.has(l.cid) && listed.findIndex(o => o.cid === l.cid) === i)
  const missing = deps.fetchPacket == null ? 'no fetchPacket hook' : deps.admission == null ? 'no admission (trust pipeline)' : null
  if (missing != null && wanted.length > 0) {
    rejected.push({ key: keys[0]!, error: 'OutcomeNotFoundError', message: `${wanted.length} listed packets, but ${missing} is wired` })
    return fetched
  }
  const pending: Array<{ l: Listed, bytes: Uint8Array }> = []
  const signal = options.signal != null ? AbortSignal.any([options.signal, deadline]) : deadline
  for (const l of wanted.slice(0, budget)) {
    options.signal?.throwIfAborted()
    if (deadline.aborted) {
      network.timedOut = true
      rejected.push({ key: l.key, cid: l.cid, error: 'OutcomeNotFoundError', message: 'not fetched: network time limit' })
      continue
    }
    let bytes: Uint8Array | undefined
    try {
      bytes = await deps.fetchPacket!(l.cid, { signal, providers: [l.author] })
    } catch (err) {
      log('fetch %s failed: %s', l.cid, (err as Error).message)
    }
    options.onProgress?.({ type: 'outcomes:fetch', cid: l.cid, ok: bytes != null })
    if (bytes == null) rejected.push({ key: l.key, cid: l.cid, error: 'OutcomeNotFoundError', message: 'not fetchable' })
    else pending.push({ l, bytes })
  }
  // outcomes before reproductions: a reproduction is admitted only when its target is held
  const rank = (b: Uint8Array): number => {
    try { return (dagCbor.decode(b) as { kind?: unknown }).kind === 'reproduction' ? 1 : 0 } catch { return 0 }
  }
  pending.sort((a, b) => rank(a.bytes) - rank(b.bytes))
  for (const { l, bytes } of pending) {
    if (fetched.has(l.cid)) continue
    try {
      const a = await admitListed(bytes, l, deps.library, deps.fingerprinter, options.signal)
      // stored only through the trust pipeline, like every other way in
      const r = await deps.admission!.admitVerified(a, { source: { type: 'peer', peer: l.author }, ...(options.signal != null ? { signal: options.signal } : {}) })
      if (r.refused != null || r.status === 'rejected' || r.status === 'revoked') throw new PacketRefusedError(l.cid, r.reason ?? r.refused ?? r.status)
      const stored = deps.library.get(l.cid)
      if (stored != null) deps.index.add(stored)
      fetched.add(l.cid)
    } catch (err) {
      log('refused %s listed under %s: %s', l.cid, l.key, (err as Error).message)
      // a listing that does not check out, though the hook may have stored the packet (mesh fetch):
      // make sure it is never used; a packet trust refused keeps trust's own decision and reason
      if (!(err instanceof PacketRefusedError) && deps.library.has(l.cid)) deps.library.setStatus(l.cid, 'rejected', `outcomes: ${(err as Error).message}`)
      rejected.push({ key: l.key, cid: l.cid, error: (err as Error).name, message: (err as Error).message })
    }
  }
  return fetched
}

export async function runQuery (deps: QueryDeps, ctx: OutcomeContext, options: QueryOptions = {}): Promise<QueryResult> {
  const context = normaliseContext(ctx)
  const exact = exactKey(context)
  const [query] = await deps.fingerprinter.signatures([context], { signal: options.signal })
  const near = query!.keys
  const rejected: QueryProblem[] = []
  const peers = deps.publisher.peers()
  const network: NetworkReport = { ...(peers != null ? { peers } : {}), asked: 0, unreachable: [], timedOut: false }
  const skipped = options.local === true ? 'local library only (--local)' : deps.publisher.unavailable()
  if (skipped != null) network.skipped = skipped
  const fetched = skipped != null ? new Set<string>() : await fromDht(deps, [exact, ...near], options, rejected, network)

  const matches: OutcomeMatch[] = []
  const usable = (cid: string): OutcomeMatch | undefined => {
    const a = deps.library.get(cid)
    if (a == null || a.envelope.kind !== 'outcome' || a.status === 'rejected' || a.status === 'revoked') return undefined
    return {
      cid, author: a.author, body: a.envelope.body as OutcomeBody, match: 'exact', similarity: 1,
      source: fetched.has(cid) ? 'dht' : 'local', status: a.status, own: a.author === deps.author
    }
  }
  const exactCids = new Set(deps.index.byExactKey(exact))
  for (const cid of exactCids) {
    const m = usable(cid)
    if (m != null) matches.push(m)
  }
  const others = deps.index.byFamily(context.family).filter(c => !exactCids.has(c)).map(usable).filter(m => m != null)
  if (others.length > 0) {
    const vectors = await deps.embed(others.map(m => contextText(m.body.task, m.body.tags)), options.signal)
    const min = options.minSimilarity ?? DEFAULT_MIN_SIMILARITY
    const near: OutcomeMatch[] = []
    others.forEach((m, i) => {
      const similarity = cosine(query!.embedding, vectors[i]!)
      if (similarity >= min) near.push({ ...m, match: 'near', similarity })
    })
    near.sort((a, b) => b.similarity - a.similarity || b.body.nEval - a.body.nEval)
    matches.push(...near)
  }
  return { context, keys: { exact, near }, matches, rejected, fetched: fetched.size, network }
}
