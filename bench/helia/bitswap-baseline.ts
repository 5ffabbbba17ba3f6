/**
 * Reference transfer for bench/mesh.ts: two Helia nodes (bitswap over libp2p TCP + Noise +
 * Yamux on 127.0.0.1) move the same 1 MiB raw blocks; Helia verifies each block's hash, as
 * Baobab does. Helia lives in this folder's own package (`cd bench/helia && npm install`) so the
 * product install stays lean; modules are loaded by name at run time, so type-checking the
 * project does not need them.
 */
import { readFileSync } from 'node:fs'

/* Minimal shapes of what is used from Helia and libp2p. */
interface Blockstore {
  put(cid: unknown, bytes: Uint8Array): Promise<unknown> | unknown
  get(cid: unknown, options: { signal: AbortSignal }): unknown
}
interface HeliaNode {
  blockstore: Blockstore
  libp2p: { dial(ma: unknown): Promise<unknown>, getMultiaddrs(): unknown[] }
  start(): Promise<unknown>
  stop(): Promise<unknown>
}
type Factory = (...args: unknown[]) => unknown

const load = async (name: string): Promise<Record<string, unknown>> => import(name) as Promise<Record<string, unknown>>

export function heliaVersion (): string {
  return (JSON.parse(readFileSync(new URL('./node_modules/helia/package.json', import.meta.url), 'utf8')) as { version: string }).version
}

async function node (): Promise<HeliaNode> {
  const fn = async (mod: string, name: string): Promise<Factory> => (await load(mod))[name] as Factory
  const withBitswap = await fn('@helia/bitswap', 'withBitswap')
  const withLibp2pLight = await fn('@helia/libp2p', 'withLibp2pLight')
  const createHeliaLight = await fn('helia', 'createHeliaLight')
  const identify = await fn('@libp2p/identify', 'identify')
  const noise = await fn('@libp2p/noise', 'noise')
  const tcp = await fn('@libp2p/tcp', 'tcp')
  const yamux = await fn('@libp2p/yamux', 'yamux')
  const h = withBitswap(withLibp2pLight(createHeliaLight({}), {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })) as HeliaNode
  await h.start()
  return h
}

/** Moves `blocks` from one Helia node to another; resolves with the receiving side's time. */
export async function heliaTransfer (blocks: Uint8Array[], options: { timeoutMs?: number } = {}): Promise<{ ms: number, bytes: number }> {
  const { CID } = await load('multiformats/cid') as { CID: { createV1(code: number, digest: unknown): unknown } }
  const raw = await load('multiformats/codecs/raw') as { code: number }
  const { sha256 } = await load('multiformats/hashes/sha2') as { sha256: { digest(b: Uint8Array): Promise<unknown> } }
  const a = await node()
  const b = await node()
  try {
    const cids: unknown[] = []
    for (const bytes of blocks) {
      const cid = CID.createV1(raw.code, await sha256.digest(bytes))
      await a.blockstore.put(cid, bytes)
      cids.push(cid)
    }
    await b.libp2p.dial(a.libp2p.getMultiaddrs()[0])
    const signal = AbortSignal.timeout(options.timeoutMs ?? 300_000)
    const t0 = performance.now()
    let bytes = 0
    await Promise.all(cids.map(async cid => {
      let r = b.blockstore.get(cid, { signal })
      if (r instanceof Promise) r = await r
      if (r instanceof Uint8Array) bytes += r.length
      else for await (const piece of r as AsyncIterable<Uint8Array>) bytes += piece.length
    }))
    return { ms: performance.now() - t0, bytes }
  } finally {
    await a.stop()
    await b.stop()
  }
}
