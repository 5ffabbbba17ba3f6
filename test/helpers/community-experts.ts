/** Builds knowledge-card experts from the demo's community Q&A files (data/communities). */
import { readFileSync } from 'node:fs'
import { createArtifact } from '../../src/artifacts/index.ts'
import type { Library } from '../../src/library/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export const COMMUNITIES = ['agronomy', 'veterinary', 'irrigation', 'soil science', 'aquaculture'] as const

export function communityQa (domain: string): Array<{ q: string, a: string }> {
  const file = new URL(`../../data/communities/${domain.replace(' ', '-')}.jsonl`, import.meta.url)
  return readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { q: string, a: string })
}

export async function addCommunityCard (library: Library, key: PrivateKey, domain: string): Promise<string> {
  const a = await createArtifact('adapter', {
    name: `${domain.replace(' ', '-')}-card`,
    domain,
    description: `Community ${domain} knowledge`,
    base: { family: 'any', model: '' },
    format: 'card',
    rank: 0,
    alpha: 0,
    targets: [],
    bytes: 0,
    chunks: [],
    exemplars: communityQa(domain),
    license: 'CC0-1.0'
  }, key)
  library.put(a, { status: 'trusted' })
  return a.cid.toString()
}
