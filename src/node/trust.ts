/**
 * Trust from a node's configuration: the one place config is mapped to the trust layer
 * (`createNode` and the command line both build it here).
 *
 * @example
 * ```ts
 * const trust = trustFromConfig({ library, identity, config })
 * trust.remove(cid)
 * ```
 */
import { createRuntime } from '../runtime/index.ts'
import { createTrust } from '../trust/index.ts'
import { nodeChecks } from './checks.ts'
import type { Identity } from '../artifacts/index.ts'
import type { NodeConfig } from '../config.ts'
import type { Library } from '../library/index.ts'
import type { Trust } from '../trust/index.ts'
import type { NodeChecks } from './checks.ts'

export interface TrustParts {
  library: Library
  identity: Identity
  config: NodeConfig
}

/** Trust with this node's key and policy, and the local checks given (none: checks held as unavailable). */
export function trustFromConfig (parts: TrustParts, checks: Partial<NodeChecks> = {}): Trust {
  return createTrust({ library: parts.library, privateKey: parts.identity.privateKey, ...checks }, { policy: parts.config.policy })
}

/**
 * Trust as `createNode` builds it, with the checks this configuration can run (nothing is run
 * here); `close` releases the runtime the checks were built on.
 */
export async function trustWithChecks (parts: TrustParts): Promise<{ trust: Trust, close(): Promise<void> }> {
  const runtime = createRuntime(parts.config.runtime)
  try {
    const checks = await nodeChecks(parts.config, runtime)
    return { trust: trustFromConfig(parts, checks), close: async () => { await runtime.close() } }
  } catch (err) {
    await runtime.close()
    throw err
  }
}
