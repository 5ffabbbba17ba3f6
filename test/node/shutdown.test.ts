/**
 * Clean shutdown under any speed: a node stopped while its peers are still connecting and
 * syncing stops whole, and network events that arrive after stop() (a slow CPU finishes
 * identify late) are ignored instead of reaching a closed library. Real libp2p nodes on
 * 127.0.0.1, real SQLite libraries.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, beforeEach, describe, it } from 'node:test'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { SYNC_PROTOCOL } from '../../src/mesh/constants.ts'
import { createNode } from '../../src/node/index.ts'
import { COMMUNITIES, addCommunityCard } from '../helpers/community-experts.ts'
import type { BaobabNode } from '../../src/node/index.ts'
import type { IdentifyResult } from '@libp2p/interface'

const root = mkdtempSync(join(tmpdir(), 'baobab-shutdown-'))
after(() => { rmSync(root, { recursive: true, force: true }) })
let homes = 0

async function node (bootstrap: string[] = [], domains: readonly string[] = []): Promise<BaobabNode> {
  const config = { ...structuredClone(DEFAULT_CONFIG), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, bootstrap }
  const n = await createNode({ home: join(root, `n${homes++}`), config, meshInit: { syncIntervalMs: 0, watchIntervalMs: 0 } })
  for (const d of domains) await addCommunityCard(n.library, n.identity.privateKey, d)
  return n
}

/** Errors that escape to the process (an event listener throwing) while a test runs. */
const escaped: Error[] = []
const onUncaught = (err: Error): void => { escaped.push(err) }
beforeEach(() => { escaped.length = 0; process.on('uncaughtException', onUncaught) })
afterEach(() => { process.off('uncaughtException', onUncaught) })

describe('node: clean shutdown', () => {
  it('stops a node while it is still connecting to and syncing with its peers; the others carry on', async () => {
    const a = await node([], COMMUNITIES.slice(0, 3))
    const b = await node([], COMMUNITIES.slice(3))
    await a.start()
    await b.start()
    const c = await node([...a.mesh!.multiaddrs(), ...b.mesh!.multiaddrs()])
    try {
      const connected = new Promise<void>(resolve => { c.mesh!.on('peer:connected', () => { resolve() }) })
      const started = c.start()
      await connected
      // identify and the first syncs are under way now
      await c.stop()
      await started
      assert.equal(c.library.db.isOpen, false)
      assert.equal(c.mesh!.isStarted(), false)

      // stopped while starting: stop waits for the start, then stops whole
      const d = await node([...a.mesh!.multiaddrs()])
      const dStarted = d.start()
      await d.stop()
      await dStarted
      assert.equal(d.library.db.isOpen, false)
      assert.equal(d.mesh!.isStarted(), false)

      // the survivors still sync with each other
      const r = await a.mesh!.syncWith(b.mesh!.multiaddrs()[0]!)
      assert.equal(r.peer, b.peerId)
      assert.deepEqual(escaped, [])
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()])
    }
  })

  it('ignores an identify event that arrives after stop() closed the library', async () => {
    const a = await node([], COMMUNITIES.slice(0, 1))
    await a.start()
    const c = await node()
    try {
      await c.start()
      const libp2p = c.mesh!.libp2p
      await c.stop()
      assert.equal(c.library.db.isOpen, false)
      // what a slow machine sees: libp2p finishes identifying a peer after the node stopped
      const detail = { peerId: a.identity.peerId, protocols: [SYNC_PROTOCOL], listenAddrs: [], connection: undefined } as unknown as IdentifyResult
      libp2p.safeDispatchEvent('peer:identify', { detail })
      libp2p.safeDispatchEvent('peer:disconnect', { detail: a.identity.peerId })
      // listener errors surface on the next tick
      await new Promise(resolve => setImmediate(resolve))
      assert.deepEqual(escaped, [])
      await c.stop() // a second stop is a no-op
    } finally {
      await a.stop()
    }
  })
})
