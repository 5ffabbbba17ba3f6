/**
 * Admission of packets fetched because a DHT record listed them: the bytes must decode and verify
 * (artifacts), hash to the listed CID, be authored by the entry's author, and belong under the key
 * they were listed at (computed locally). Anything else is a ForeignPacketError and is not stored.
 */
import { decodeArtifact } from '../artifacts/index.ts'
import { ForeignPacketError } from './errors.ts'
import { exactKey } from './fingerprint.ts'
import type { NearFingerprinter } from './fingerprint.ts'
import type { OutcomeBody, ReproductionBody, SignedArtifact } from '../artifacts/index.ts'
import type { Library } from '../library/index.ts'

export interface Listed {
  cid: string
  /** The record key the CID was listed under. */
  key: string
  /** The author of the record entry that listed it. */
  author: string
}

/** Every key a packet is published under: exact first, then its band keys. */
export async function packetKeys (body: OutcomeBody, fingerprinter: NearFingerprinter, signal?: AbortSignal): Promise<string[]> {
  const [sig] = await fingerprinter.signatures([body], { signal })
  return [exactKey(body), ...(sig?.keys ?? [])]
}

/** Verifies fetched bytes against what the record claimed; returns the artifact (not yet stored). */
export async function admitListed (
  bytes: Uint8Array, listed: Listed, library: Library, fingerprinter: NearFingerprinter, signal?: AbortSignal
): Promise<SignedArtifact> {
  const artifact = await decodeArtifact(bytes, { expectedCid: listed.cid })
  const env = artifact.envelope
  if (env.author !== listed.author) {
    throw new ForeignPacketError(listed.cid, listed.key, `authored by ${env.author}, but listed in the entry of ${listed.author}`)
  }
  if (env.kind === 'outcome') {
    const keys = await packetKeys(env.body as OutcomeBody, fingerprinter, signal)
    if (!keys.includes(listed.key)) throw new ForeignPacketError(listed.cid, listed.key, 'its context does not fingerprint to this key')
    return artifact
  }
  if (env.kind === 'reproduction') {
    const target = library.get((env.body as ReproductionBody).target.toString())
    if (target?.envelope.kind !== 'outcome') throw new ForeignPacketError(listed.cid, listed.key, 'reproduction of a packet this node does not hold')
    const keys = await packetKeys(target.envelope.body as OutcomeBody, fingerprinter, signal)
    if (!keys.includes(listed.key)) throw new ForeignPacketError(listed.cid, listed.key, 'its target does not fingerprint to this key')
    return artifact
  }
  throw new ForeignPacketError(listed.cid, listed.key, `a ${env.kind} artifact, not an outcome or reproduction`)
}
