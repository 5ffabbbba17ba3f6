/** Shared pieces of the mesh bench: quiet loopback nodes, deterministic bytes, a bench adapter. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { CID } from 'multiformats/cid'
import { createArtifact } from '../src/artifacts/index.ts'
import { openLibrary } from '../src/library/index.ts'
import { createMesh } from '../src/mesh/index.ts'
import { createTrust } from '../src/trust/index.ts'
import type { SignedArtifact } from '../src/artifacts/index.ts'
import type { Library } from '../src/library/index.ts'
import type { Mesh, MeshInit } from '../src/mesh/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export const TCP = ['/ip4/127.0.0.1/tcp/0']
export const QUIET: MeshInit = { listen: TCP, mdns: false, syncOnConnect: false, autoFetch: false, syncIntervalMs: 0, watchIntervalMs: 0 }
export const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d
export const mbps = (bytes: number, ms: number): number => round(bytes / 1e6 / (ms / 1000))

export interface Node { mesh: Mesh, library: Library, home: string }

export function benchHome (): string {
  return mkdtempSync(join(tmpdir(), 'baobab-bench-mesh-'))
}

export async function startNode (init: MeshInit = {}, key?: PrivateKey, home = benchHome()): Promise<Node> {
  const library = openLibrary({ home })
  const privateKey = key ?? await generateKeyPair('Ed25519')
  // every received artifact goes through the trust pipeline, as in the product
  const admission = createTrust({ library, privateKey }, { policy: 'open', shareVotes: false }).admission
  const mesh = createMesh({ privateKey, library, admission }, { ...QUIET, ...init })
  await mesh.start()
  return { mesh, library, home }
}

export async function stopAll (nodes: Node[]): Promise<void> {
  await Promise.all(nodes.map(async n => { await n.mesh.stop(); n.library.close(); rmSync(n.home, { recursive: true, force: true }) }))
}

export function deterministic (size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  let x = seed
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    out[i] = x & 255; out[i + 1] = (x >>> 8) & 255; out[i + 2] = (x >>> 16) & 255; out[i + 3] = (x >>> 24) & 255
  }
  return out
}

/** Stores `bytes` as an adapter in `library` (signed with `key`, or the artifact given). */
export async function putAdapter (library: Library, bytes: Uint8Array, key: PrivateKey, name: string, artifact?: SignedArtifact): Promise<SignedArtifact> {
  const file = join(library.blobs.dir, `${name}.bin`)
  writeFileSync(file, bytes)
  const { chunks, bytes: size } = await library.putBlobFile(file)
  rmSync(file)
  const art = artifact ?? await createArtifact('adapter', {
    name, domain: 'bench', description: `${size} bytes`, base: { family: 'llama', model: 'bench' }, format: 'gguf-lora',
    rank: 8, alpha: 16, targets: ['attn_q'], bytes: size, chunks: chunks.map(c => CID.parse(c)), exemplars: [], license: 'MIT'
  }, key)
  library.put(art)
  return art
}
