/**
 * Screening of a stored (quarantined) artifact: the kind's screen, then the local canary or
 * check where one applies, then the tally of peers' votes. Pure judgement: nothing is decided
 * or written here except a local reproduction this node makes of a held outcome.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createArtifact } from '../artifacts/index.ts'
import { DEFAULT_MAX_FROBENIUS, DEFAULT_MAX_SPECTRAL, LEARNED_NORM_FACTOR, MIN_LEARNED_SAMPLES } from './constants.ts'
import { screenAdapter } from './adapter-screen.ts'
import { screenLesson } from './experience-screen.ts'
import { screenReproduction, screenRevocation, screenVote } from './meta-screen.ts'
import { screenOutcome } from './outcome-screen.ts'
import { weightOf } from './context.ts'
import { tallyVotes } from './votes.ts'
import type { KindNorms, NormBounds } from './adapter-screen.ts'
import type { TrustContext } from './context.ts'
import type { CanaryOutcome } from './policy.ts'
import type { ScreenReport } from './screen-report.ts'
import type { VoteTally } from './votes.ts'
import type { AdapterBody, ExperienceBody, OutcomeBody } from '../artifacts/index.ts'
import type { StoredArtifact } from '../library/index.ts'

export interface Screening {
  screen: ScreenReport
  canary: CanaryOutcome
  norms: KindNorms[]
  votes: VoteTally | undefined
  hasWeights: boolean
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] as number : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** Norm bounds and expected shape for one target kind of a base, from trusted adapters. */
export function learnedBounds (ctx: TrustContext, base: string, kind: string): NormBounds {
  const rows = ctx.db.prepare(`SELECT n.spectral, n.frobenius, n.n_in, n.n_out FROM trust_adapter_norms n
    JOIN artifacts a ON a.cid = n.cid WHERE a.status = 'trusted' AND n.base = ? AND n.target = ?`).all(base, kind) as Array<{ spectral: number, frobenius: number, n_in: number, n_out: number }>
  const shapes = new Map<string, { nIn: number, nOut: number, n: number }>()
  for (const r of rows) {
    const k = `${r.n_in}x${r.n_out}`
    const s = shapes.get(k) ?? { nIn: r.n_in, nOut: r.n_out, n: 0 }
    s.n++
    shapes.set(k, s)
  }
  const shape = [...shapes.values()].sort((a, b) => b.n - a.n)[0]
  if (rows.length < MIN_LEARNED_SAMPLES) {
    return {
      spectral: DEFAULT_MAX_SPECTRAL, frobenius: DEFAULT_MAX_FROBENIUS, learned: false, samples: rows.length,
      ...(shape != null ? { shape: { nIn: shape.nIn, nOut: shape.nOut } } : {})
    }
  }
  return {
    spectral: LEARNED_NORM_FACTOR * median(rows.map(r => r.spectral)),
    frobenius: LEARNED_NORM_FACTOR * median(rows.map(r => r.frobenius)),
    learned: true,
    samples: rows.length,
    ...(shape != null ? { shape: { nIn: shape.nIn, nOut: shape.nOut } } : {})
  }
}

async function screenAdapterArtifact (ctx: TrustContext, stored: StoredArtifact, signal?: AbortSignal): Promise<Omit<Screening, 'votes'>> {
  const body = stored.envelope.body as AdapterBody
  const hasWeights = body.format === 'gguf-lora'
  const dir = await mkdtemp(join(ctx.workDir, 'baobab-trust-'))
  try {
    const r = await screenAdapter(stored, {
      library: ctx.library,
      loadAdapter: ctx.loadAdapter,
      bounds: (base, kind) => learnedBounds(ctx, base, kind),
      workDir: dir,
      ...(signal != null ? { signal } : {})
    })
    let canary: CanaryOutcome = hasWeights ? 'unavailable' : 'not-applicable'
    if (r.report.verdict !== 'pass') canary = 'skipped'
    else if (r.weightsPath != null && ctx.canary != null) {
      const key = createHash('sha256').update(body.chunks.map(c => c.toString()).join(',')).digest('hex')
      canary = await ctx.canary.check(r.weightsPath, { cacheKey: key, ...(signal != null ? { signal } : {}) })
    }
    return { screen: r.report, canary, norms: r.norms, hasWeights }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function reproduceLocally (ctx: TrustContext, stored: StoredArtifact, signal?: AbortSignal): Promise<boolean> {
  if (ctx.reproduceOutcome == null) return false
  const measured = await ctx.reproduceOutcome(stored.envelope.body as OutcomeBody, signal != null ? { signal } : {})
  if (measured == null) return false
  const rep = await createArtifact('reproduction', { target: stored.cid, measuredDelta: measured.measuredDelta, nEval: measured.nEval }, ctx.privateKey, { created: ctx.now() })
  ctx.library.put(rep, { status: 'trusted', shareable: true, reason: 'local reproduction' })
  ctx.log('reproduced %s locally: measured Δ %d on %d items', stored.cid, measured.measuredDelta, measured.nEval)
  return true
}

export async function screenArtifact (ctx: TrustContext, stored: StoredArtifact, signal?: AbortSignal): Promise<Screening> {
  const cid = stored.cid.toString()
  const weight = (peer: string): number => weightOf(ctx, peer)
  let base: Omit<Screening, 'votes'>
  switch (stored.kind) {
    case 'adapter':
      base = await screenAdapterArtifact(ctx, stored, signal)
      break
    case 'experience': {
      const screen = screenLesson(stored, ctx.library)
      let canary: CanaryOutcome = 'not-applicable'
      if (screen.verdict === 'pass' && ctx.experienceCheck != null) canary = await ctx.experienceCheck(stored.envelope.body as ExperienceBody, signal != null ? { signal } : {})
      base = { screen, canary, norms: [], hasWeights: false }
      break
    }
    case 'outcome': {
      let screen = screenOutcome(stored, { library: ctx.library, weight })
      if (screen.verdict === 'hold' && await reproduceLocally(ctx, stored, signal)) screen = screenOutcome(stored, { library: ctx.library, weight })
      base = { screen, canary: 'not-applicable', norms: [], hasWeights: false }
      break
    }
    case 'vote':
      base = { screen: screenVote(stored, ctx.library, ctx.db), canary: 'not-applicable', norms: [], hasWeights: false }
      break
    case 'reproduction':
      base = { screen: screenReproduction(stored, ctx.library), canary: 'not-applicable', norms: [], hasWeights: false }
      break
    case 'revocation':
      base = { screen: screenRevocation(stored, ctx.library), canary: 'not-applicable', norms: [], hasWeights: false }
      break
  }
  const meta = stored.kind === 'vote' || stored.kind === 'reproduction' || stored.kind === 'revocation'
  const votes = meta ? undefined : tallyVotes(ctx.db, cid, ctx.reputation, new Set([stored.author, ctx.self]))
  return { ...base, votes }
}
