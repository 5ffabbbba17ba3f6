/**
 * The pieces the mesh node factory puts into `kadDHT({...})` so that the node stores and serves
 * outcome records: Baobab's protocol prefix, the validator and the selector for `/baobab-outcome/`.
 */
import { removePublicAddressesMapper } from '@libp2p/kad-dht'
import { BAOBAB_KAD_PROTOCOL, DHT_REQUEST_TIMEOUT, DHT_SETTINGS, OUTCOME_NAMESPACE } from './constants.ts'
import { decodeRecord, selectRecord } from './record.ts'
import type { KadDHTInit, SelectFn, ValidateFn } from '@libp2p/kad-dht'

const decoder = new TextDecoder()

/** kad-dht validator: throws a named error unless the value is a valid, fully signed outcome record. */
export const validateOutcomeRecord: ValidateFn = async (key, value) => {
  await decodeRecord(decoder.decode(key), value)
}

/** kad-dht selector: see `selectRecord`. */
export const selectOutcomeRecord: SelectFn = (key, records) => selectRecord(decoder.decode(key), records)

/** `validators` entry for kadDHT: `{ 'baobab-outcome': validateOutcomeRecord }`. */
export function outcomeValidators (): Record<string, ValidateFn> {
  return { [OUTCOME_NAMESPACE]: validateOutcomeRecord }
}

/** `selectors` entry for kadDHT: `{ 'baobab-outcome': selectOutcomeRecord }`. */
export function outcomeSelectors (): Record<string, SelectFn> {
  return { [OUTCOME_NAMESPACE]: selectOutcomeRecord }
}

export interface OutcomeKadOptions {
  /**
   * LAN or loopback DHT: peers only ever advertise private addresses, so keep them
   * (`removePublicAddressesMapper`) and act as a server from the start (`clientMode: false`).
   */
  lan?: boolean
  /** Routing-table trie depth (default DHT_PREFIX_LENGTH = 12; kad-dht's own default is 6). */
  prefixLength?: number
}

/**
 * The kad-dht init Baobab uses: own protocol, a deeper routing table, outcome validator/selector, and for LAN/loopback
 * server mode with private addresses kept. Spread more options over it as needed.
 */
export function outcomeKadDhtInit (options: OutcomeKadOptions = {}): KadDHTInit {
  const init: KadDHTInit = {
    protocol: BAOBAB_KAD_PROTOCOL,
    prefixLength: options.prefixLength ?? DHT_SETTINGS.prefixLength,
    kBucketSize: DHT_SETTINGS.kBucketSize,
    alpha: DHT_SETTINGS.alpha,
    disjointPaths: DHT_SETTINGS.disjointPaths,
    // a node alone answers at once (the query would otherwise wait for a first peer until its time limit)
    allowQueryWithZeroPeers: true,
    // a lost request costs at most 10 s, not the operation's whole time limit
    networkDialTimeout: { ...DHT_REQUEST_TIMEOUT },
    validators: outcomeValidators(),
    selectors: outcomeSelectors()
  }
  if (options.lan === true) {
    init.clientMode = false
    init.peerInfoMapper = removePublicAddressesMapper
  }
  return init
}
