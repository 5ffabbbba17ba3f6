/**
 * A mesh's running parts: none before start, all after, none again after stop (a restart builds
 * them anew); and the one mapping from node configuration to mesh settings.
 */
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { openLibrary } from '../../src/library/index.ts'
import { createMesh, meshInitFromConfig, networkKeyOf, writeNetworkKey } from '../../src/mesh/index.ts'
import { memoryAddr, tempHome, testTrust } from './helpers.ts'
import type { SignedArtifact } from '../../src/artifacts/index.ts'

const notStarted = { name: 'MeshNotStartedError' }

describe('mesh: running parts', () => {
  it('exist only between start and stop, and a restart builds them again', async () => {
    const home = tempHome()
    const key = await generateKeyPair('Ed25519')
    const library = openLibrary({ home })
    const trust = testTrust(library, key)
    const mesh = createMesh({ privateKey: key, library, admission: trust.admission }, {
      listen: [memoryAddr()], mdns: false, syncIntervalMs: 0, watchIntervalMs: 0
    })
    try {
      const idle = async (): Promise<void> => {
        assert.equal(mesh.isStarted(), false)
        assert.throws(() => mesh.libp2p, notStarted)
        await assert.rejects(mesh.syncWith(peerIdFromPrivateKey(key).toString()), notStarted)
        await assert.rejects(mesh.fetch('bafkqaaa'), notStarted)
        await assert.rejects(mesh.announce({} as SignedArtifact), notStarted)
      }
      await idle()
      await mesh.start()
      assert.equal(mesh.isStarted(), true)
      const first = mesh.libp2p
      assert.equal(mesh.peerId.toString(), peerIdFromPrivateKey(key).toString())
      assert.ok(mesh.multiaddrs().length > 0)
      await mesh.start() // a second start keeps the running parts
      assert.equal(mesh.libp2p, first)
      await mesh.stop()
      assert.equal(first.status, 'stopped')
      await idle()
      await mesh.start()
      assert.notEqual(mesh.libp2p, first)
      assert.equal(mesh.libp2p.status, 'started')
      await mesh.stop()
      await mesh.stop() // stopping a stopped mesh does nothing
      await idle()
    } finally {
      await mesh.stop()
      library.close()
      rmSync(home, { recursive: true, force: true })
    }
  })
})

describe('mesh: settings from the node configuration', () => {
  it('maps the network fields, reads the key file, and lets overrides win', () => {
    const home = tempHome()
    try {
      const pskFile = join(home, 'network.key')
      const key = writeNetworkKey(pskFile)
      const config = { ...structuredClone(DEFAULT_CONFIG), network: 'farm', bootstrap: ['/ip4/127.0.0.1/tcp/4001/p2p/x'], pskFile }
      const init = meshInitFromConfig(config, { mdns: false, syncIntervalMs: 0 })
      assert.equal(init.network, 'farm')
      assert.deepEqual(init.listen, DEFAULT_CONFIG.listen)
      assert.deepEqual(init.bootstrap, config.bootstrap)
      assert.equal(init.relay, false)
      assert.equal(init.psk, key)
      assert.equal(init.mdns, false)
      assert.equal(init.syncIntervalMs, 0)
      assert.equal(networkKeyOf({ psk: 'inline' }), 'inline')
      assert.equal(meshInitFromConfig(structuredClone(DEFAULT_CONFIG)).psk, undefined)
      assert.throws(() => meshInitFromConfig({ ...config, pskFile: join(home, 'missing.key') }), { name: 'InvalidNetworkKeyError' })
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})
