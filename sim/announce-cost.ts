/** CPU cost of one announcement on the real code path: decode + signature verification. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createArtifact } from '../src/artifacts/index.ts'
import { announcementFor, decodeAnnouncement, encodeAnnouncement } from '../src/mesh/announce.ts'

export async function announcementCpuMs (runs = 500): Promise<number> {
  const key = await generateKeyPair('Ed25519')
  const artifact = await createArtifact('experience', { text: 'When calves scour, give oral rehydration salts first because dehydration kills fastest.', domain: 'veterinary', tags: [], confidence: 0.8, evidence: { groups: 1, meanReward: 0.5 }, sketch: { embedder: 'none', bits: new Uint8Array(48), scale: 0 } }, key)
  const bytes = await encodeAnnouncement(announcementFor(artifact, key, ['/ip4/127.0.0.1/tcp/4001']), key)
  for (let i = 0; i < 50; i++) await decodeAnnouncement(bytes)
  const t0 = performance.now()
  for (let i = 0; i < runs; i++) await decodeAnnouncement(bytes)
  return (performance.now() - t0) / runs
}
