/** The mesh's slice of the node configuration: the one place config fields become mesh settings. */
import { readNetworkKey } from './network-key.ts'
import type { MeshInit } from './types.ts'
import type { NodeConfig } from '../config.ts'

/** Mesh settings from `config` (network, listen, bootstrap, mDNS, relay, private network key), then `overrides`. */
export function meshInitFromConfig (config: NodeConfig, overrides: Partial<MeshInit> = {}): MeshInit {
  return {
    network: config.network,
    listen: config.listen,
    bootstrap: config.bootstrap,
    mdns: config.mdns,
    psk: networkKeyOf(config),
    relay: config.relay,
    ...overrides
  }
}

/** The private network key this config uses: from its key file (`pskFile`), or inline (older configs). */
export function networkKeyOf (config: Pick<NodeConfig, 'psk' | 'pskFile'>): string | undefined {
  if (config.pskFile != null) return readNetworkKey(config.pskFile)
  return config.psk
}
