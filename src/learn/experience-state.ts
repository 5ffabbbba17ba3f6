/**
 * Which experiences are live, derived from signed artifacts alone: an experience is active when it
 * is `trusted`, not revoked by its author, and not replaced. A `replaces` link counts only when
 * the replacing experience is by the same author, or by this node (its own updates and merges
 * of peers' lessons); a peer can never retire someone else's experience.
 */
import type { ExperienceBody, RevocationBody } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'

export interface ExperienceView {
  cid: string
  text: string
  domain: string
  tags: string[]
  confidence: number
  evidence: { groups: number, meanReward: number }
  author: string
  created: number
  status: StoredArtifact['status']
  shareable: boolean
  /** True when retrieval may inject it. */
  active: boolean
  /** Why it is not active (replaced, revoked, rejected, quarantined). */
  inactiveReason?: string
  replaces: string[]
  supersededBy?: string
  own: boolean
  sourcePeer: string | null
}

export interface ExperienceState {
  views: ExperienceView[]
  byCid: Map<string, ExperienceView>
}

/** Computes the view of every experience in the library. `self` is this node's peer id. */
export function experienceState (library: Library, self: string): ExperienceState {
  const all = library.list({ kind: 'experience' })
  const byCid = new Map<string, StoredArtifact>(all.map(a => [a.cid.toString(), a]))
  // revocations signed by the target's author
  const revoked = new Map<string, string>()
  for (const r of library.list({ kind: 'revocation' })) {
    const body = r.envelope.body as RevocationBody
    const target = byCid.get(body.target.toString())
    if (target != null && target.author === r.author && r.status !== 'rejected') revoked.set(target.cid.toString(), body.reason)
  }
  // replacement links from experiences that still stand (trusted, or deleted after replacing)
  const supersededBy = new Map<string, string>()
  for (const a of all) {
    if (a.status !== 'trusted' && a.status !== 'revoked') continue
    for (const r of (a.envelope.body as ExperienceBody).replaces ?? []) {
      const target = byCid.get(r.toString())
      const key = r.toString()
      if (target == null || supersededBy.has(key)) continue
      if (target.author === a.author || a.author === self) supersededBy.set(key, a.cid.toString())
    }
  }
  const views = all.map(a => {
    const body = a.envelope.body as ExperienceBody
    const cid = a.cid.toString()
    let inactiveReason: string | undefined
    if (revoked.has(cid)) inactiveReason = `revoked by its author: ${revoked.get(cid)!}`
    else if (a.status !== 'trusted') inactiveReason = a.status + (a.reason != null ? `: ${a.reason}` : '')
    else if (supersededBy.has(cid)) inactiveReason = `replaced by ${supersededBy.get(cid)!}`
    const view: ExperienceView = {
      cid,
      text: body.text,
      domain: body.domain,
      tags: body.tags,
      confidence: body.confidence,
      evidence: body.evidence,
      author: a.author,
      created: a.created,
      status: a.status,
      shareable: a.shareable,
      active: inactiveReason == null,
      replaces: (body.replaces ?? []).map(c => c.toString()),
      own: a.author === self,
      sourcePeer: a.sourcePeer
    }
    if (inactiveReason != null) view.inactiveReason = inactiveReason
    const by = supersededBy.get(cid)
    if (by != null) view.supersededBy = by
    return view
  })
  return { views, byCid: new Map(views.map(v => [v.cid, v])) }
}
