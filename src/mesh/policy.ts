/** Which announced or offered artifacts this node wants to fetch: by kind, base family, domain. */
import type { Kind, SignedArtifact } from '../artifacts/index.ts'

export interface FetchPolicy {
  /** Kinds to fetch (default: all). */
  kinds?: Kind[]
  /** Base-model families to fetch adapters and outcomes for (default: any). */
  families?: string[]
  /** Domains to fetch (default: any). */
  domains?: string[]
}

/** What a policy looks at: from an announcement or from the artifact itself. */
export interface ArtifactTraits {
  kind: Kind
  family?: string
  domain?: string
}

export function traitsOf (artifact: SignedArtifact): ArtifactTraits {
  const body = artifact.envelope.body as { base?: { family?: unknown }, family?: unknown, domain?: unknown }
  const family = typeof body.base?.family === 'string' ? body.base.family : typeof body.family === 'string' ? body.family : undefined
  const domain = typeof body.domain === 'string' ? body.domain : undefined
  return { kind: artifact.envelope.kind, ...(family != null ? { family } : {}), ...(domain != null ? { domain } : {}) }
}

/** True when the policy accepts these traits. A filter on a trait the item lacks does not exclude it. */
export function wants (policy: FetchPolicy, t: ArtifactTraits): boolean {
  if (policy.kinds != null && !policy.kinds.includes(t.kind)) return false
  if (policy.families != null && t.family != null && !policy.families.includes(t.family)) return false
  if (policy.domains != null && t.domain != null && !policy.domains.includes(t.domain)) return false
  return true
}
