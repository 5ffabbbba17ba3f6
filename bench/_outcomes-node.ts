/**
 * An outcome-bench member built the way `baobab start` builds a node (`createNode`: library, trust,
 * mesh with gossip, sync and fetch, kad-dht with merging record store, outcome service), on
 * 127.0.0.1 with mDNS off: like the product on a LAN, it dials the peers the DHT tells it about
 * (up to its connection cap), and packets travel over `/baobab/fetch/2` through the trust pipeline.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CONFIG } from '../src/config.ts'
import { createNode } from '../src/node/index.ts'
import type { Member, Node } from './outcomes.ts'

export async function productMember (): Promise<Member> {
  const home = mkdtempSync(join(tmpdir(), 'baobab-bench-outcomes-node-'))
  const config = { ...structuredClone(DEFAULT_CONFIG), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false }
  const node = await createNode({ home, config })
  await node.start()
  const libp2p = node.mesh!.libp2p as unknown as Node
  return {
    node: libp2p,
    key: node.identity.privateKey,
    library: node.library,
    outcomes: node.outcomes,
    home,
    stop: async () => {
      await node.stop()
      rmSync(home, { recursive: true, force: true })
    }
  }
}
