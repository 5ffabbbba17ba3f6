/**
 * Gossip announcements: a small message signed by the announcing node saying "I have artifact
 * <cid> of <kind> (family, domain)", plus a few of its addresses so receivers can dial it.
 * Never weights. Subscribers decide by their `FetchPolicy` whether to fetch.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { KINDS } from '../artifacts/index.ts'
import { ANNOUNCE_LIMIT, ANNOUNCE_MAX_ADDRS } from './constants.ts'
import { ProtocolViolationError } from './errors.ts'
import { traitsOf } from './policy.ts'
import type { ArtifactTraits } from './policy.ts'
import type { Kind, SignedArtifact } from '../artifacts/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export interface Announcement extends ArtifactTraits {
  cid: string
  /** Peer id of the announcing node (the signer). */
  node: string
  addrs: string[]
  /** Unix ms by the announcer's clock. */
  at: number
}

const TOPIC = 'announce'
const FIELDS = new Set(['v', 'kind', 'cid', 'family', 'domain', 'node', 'addrs', 'at', 'sig'])

function bad (reason: string): never {
  throw new ProtocolViolationError(TOPIC, reason)
}

function unsigned (a: Announcement): Record<string, unknown> {
  const out: Record<string, unknown> = { v: 1, kind: a.kind, cid: CID.parse(a.cid), node: a.node, addrs: a.addrs, at: a.at }
  if (a.family != null) out.family = a.family
  if (a.domain != null) out.domain = a.domain
  return out
}

export function announcementFor (artifact: SignedArtifact, privateKey: PrivateKey, addrs: string[], at = Date.now()): Announcement {
  return {
    ...traitsOf(artifact),
    cid: artifact.cid.toString(),
    node: peerIdFromPrivateKey(privateKey).toString(),
    addrs: addrs.filter(a => a.length <= 200).slice(0, ANNOUNCE_MAX_ADDRS),
    at
  }
}

export async function encodeAnnouncement (a: Announcement, privateKey: PrivateKey): Promise<Uint8Array> {
  const body = unsigned(a)
  const sig = await privateKey.sign(dagCbor.encode(body))
  const bytes = dagCbor.encode({ ...body, sig })
  if (bytes.length > ANNOUNCE_LIMIT) bad(`announcement of ${bytes.length} bytes exceeds ${ANNOUNCE_LIMIT}`)
  return bytes
}

const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max

/** Decodes and verifies an announcement; throws ProtocolViolationError on anything wrong. */
export async function decodeAnnouncement (bytes: Uint8Array): Promise<Announcement> {
  if (bytes.length > ANNOUNCE_LIMIT) bad(`announcement of ${bytes.length} bytes exceeds ${ANNOUNCE_LIMIT}`)
  let m: Record<string, unknown>
  try {
    m = dagCbor.decode(bytes)
  } catch (err) {
    throw new ProtocolViolationError(TOPIC, 'announcement is not DAG-CBOR', undefined, { cause: err })
  }
  if (m == null || typeof m !== 'object' || Array.isArray(m)) bad('announcement is not a map')
  for (const k of Object.keys(m)) if (!FIELDS.has(k)) bad(`unexpected field "${k}"`)
  if (m.v !== 1) bad(`unsupported version ${String(m.v)}`)
  if (typeof m.kind !== 'string' || !(KINDS as readonly string[]).includes(m.kind)) bad('unknown kind')
  const cid = CID.asCID(m.cid)
  if (cid == null) bad('cid is not a CID')
  if (!str(m.node, 128)) bad('node is not a peer id')
  if (!Array.isArray(m.addrs) || m.addrs.length > ANNOUNCE_MAX_ADDRS || !m.addrs.every(x => str(x, 200))) bad('addrs must be at most 4 strings')
  if (typeof m.at !== 'number' || !Number.isSafeInteger(m.at) || m.at < 0) bad('at must be a timestamp')
  if (m.family !== undefined && !str(m.family, 32)) bad('family must be a short string')
  if (m.domain !== undefined && !str(m.domain, 64)) bad('domain must be a short string')
  if (!(m.sig instanceof Uint8Array) || m.sig.length > 128) bad('sig must be bytes')
  const a: Announcement = {
    kind: m.kind as Kind,
    cid: cid.toString(),
    node: m.node,
    addrs: m.addrs as string[],
    at: m.at,
    ...(m.family !== undefined ? { family: m.family as string } : {}),
    ...(m.domain !== undefined ? { domain: m.domain as string } : {})
  }
  let ok: boolean
  try {
    const peer = peerIdFromString(a.node)
    if (peer.publicKey == null) bad('node id carries no public key')
    ok = await peer.publicKey.verify(dagCbor.encode(unsigned(a)), m.sig)
  } catch (err) {
    if ((err as Error).name === 'ProtocolViolationError') throw err
    throw new ProtocolViolationError(TOPIC, 'signature cannot be checked', a.node, { cause: err })
  }
  if (!ok) throw new ProtocolViolationError(TOPIC, 'bad signature', a.node)
  return a
}
