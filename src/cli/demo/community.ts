/** Fills one community node's library: its expert (knowledge card + tiny LoRA), experiences, an outcome packet. */
import { join } from 'node:path'
import { createArtifact, parseCid } from '../../artifacts/index.ts'
import { ExperienceStore } from '../../learn/index.ts'
import { communityExperiences, communityOutcome, communityQa } from './knowledge.ts'
import { writeTinyLora } from '../../adapters/index.ts'
import type { Community } from './knowledge.ts'
import type { BaobabNode } from '../../node/index.ts'

export interface CommunityContent {
  expert: string
  experiences: number
  outcomes: number
}

export async function seedCommunity (node: BaobabNode, domain: Community, seed: number): Promise<CommunityContent> {
  const loraPath = join(node.home, `${domain.replace(' ', '-')}.lora.gguf`)
  await writeTinyLora(loraPath, seed)
  const { chunks, bytes } = await node.library.putBlobFile(loraPath)
  const name = `${domain.replace(' ', '-')}-coop`
  const expert = await createArtifact('adapter', {
    name,
    domain,
    description: `What the ${domain} co-operative knows, as a knowledge card and a LoRA for the bundled tiny model.`,
    base: { family: 'llama', model: 'llama-2-tiny-random' },
    format: 'gguf-lora',
    rank: 2,
    alpha: 2,
    targets: ['attn_q', 'attn_v'],
    bytes,
    chunks: chunks.map(c => parseCid(c)),
    exemplars: communityQa(domain),
    license: 'CC0-1.0'
  }, node.identity.privateKey)
  node.library.put(expert, { status: 'trusted', reason: 'authored on this node' })
  const store = new ExperienceStore({ library: node.library, embedder: node.embedder, privateKey: node.identity.privateKey })
  let experiences = 0
  for (const text of communityExperiences(domain)) {
    const r = await store.add({ text, domain, tags: [domain], confidence: 0.8, evidence: { groups: 3, meanReward: 0.7 } })
    if (r.cid != null) { node.library.setShareable(r.cid, true); experiences++ }
  }
  await node.outcomes.publish(communityOutcome(domain), { local: true })
  return { expert: name, experiences, outcomes: 1 }
}
