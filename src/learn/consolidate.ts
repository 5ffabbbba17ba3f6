/**
 * Batch consolidation: merge near-duplicate experiences (cosine > threshold) and drop the weaker
 * of two that contradict each other (same situation, opposite advice: "do X" vs "avoid X").
 */
import { cosinePacked as cosine } from '../embedding/index.ts'
import { parseExperienceForm } from './experience-text.ts'
import type { ExperienceView } from './experience-state.ts'
import type { ExperienceStore, OpResult } from './experience-store.ts'

export interface ConsolidateOptions {
  /** Cosine of the situations above which two lessons speak about the same case (default 0.8). */
  situationThreshold?: number
  /** Cosine of the actions (negation removed) above which they give opposite advice on one thing (default 0.6). */
  actionThreshold?: number
  signal?: AbortSignal
}

export interface ConsolidateResult {
  merged: number
  dropped: number
  ops: OpResult[]
}

function strength (v: ExperienceView): number[] {
  return [v.evidence.meanReward * Math.min(1, v.evidence.groups / 3), v.evidence.groups, v.confidence, v.created]
}

function stronger (a: ExperienceView, b: ExperienceView): ExperienceView {
  const sa = strength(a)
  const sb = strength(b)
  for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i]! > sb[i]! ? a : b
  return a.cid < b.cid ? a : b
}

const NEGATION = /^(avoid|never|don't|do not|dont|stop|refrain from|skip|no longer|not)\s+/i

export async function consolidate (store: ExperienceStore, domains: Iterable<string>, options: ConsolidateOptions = {}): Promise<ConsolidateResult> {
  const result: ConsolidateResult = { merged: 0, dropped: 0, ops: [] }
  const sig = options.signal != null ? { signal: options.signal } : {}
  for (const domain of new Set(domains)) {
    // 1. near-duplicates: greedy clusters around the most confident experience
    let pool = store.active(domain).sort((a, b) => b.confidence - a.confidence || a.created - b.created)
    const vecs = await store.embeddings.embed(pool.map(p => p.text), options.signal)
    const taken = new Set<number>()
    for (let i = 0; i < pool.length; i++) {
      if (taken.has(i)) continue
      const cluster = [i]
      for (let j = i + 1; j < pool.length; j++) {
        if (!taken.has(j) && cosine(vecs[i]!, vecs[j]!) > store.dedupThreshold) cluster.push(j)
      }
      if (cluster.length < 2) continue
      cluster.forEach(c => taken.add(c))
      const r = await store.merge(cluster.map(c => pool[c]!.cid), { text: pool[i]!.text }, { origin: 'consolidate', reason: 'near-duplicates', ...sig })
      result.ops.push(r)
      result.merged += cluster.length - 1
    }
    // 2. contradictions
    pool = store.active(domain)
    const forms = pool.map(p => parseExperienceForm(p.text))
    const idx = pool.map((_, i) => i).filter(i => forms[i] != null)
    if (idx.length < 2) continue
    const situations = await store.embeddings.embed(idx.map(i => forms[i]!.situation), options.signal)
    const actions = await store.embeddings.embed(idx.map(i => forms[i]!.action.replace(NEGATION, '')), options.signal)
    const dropped = new Set<string>()
    for (let a = 0; a < idx.length; a++) {
      for (let b = a + 1; b < idx.length; b++) {
        const fa = forms[idx[a]!]!
        const fb = forms[idx[b]!]!
        if (fa.negative === fb.negative) continue
        const va = pool[idx[a]!]!
        const vb = pool[idx[b]!]!
        if (dropped.has(va.cid) || dropped.has(vb.cid)) continue
        if (cosine(situations[a]!, situations[b]!) < (options.situationThreshold ?? 0.8)) continue
        if (cosine(actions[a]!, actions[b]!) < (options.actionThreshold ?? 0.6)) continue
        const keep = stronger(va, vb)
        const drop = keep === va ? vb : va
        dropped.add(drop.cid)
        result.ops.push(await store.remove(drop.cid, { origin: 'consolidate', reason: `contradicted by ${keep.cid}`, ...sig }))
        result.dropped++
      }
    }
  }
  return result
}
