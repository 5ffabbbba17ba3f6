/**
 * The libraries the recall conditions are answered from, as signed adapter artifacts in a node's
 * library (the node then routes and answers exactly as `baobab ask` does):
 *
 * - `routed`: one knowledge card per domain, built from that domain's training file;
 * - `pooled`: one "merged" expert holding every domain's training pairs. An adapter artifact
 *   holds at most 64 exemplars (and 64 KiB), so it is stored as the fewest parts that fit, all
 *   named `pooled-…` in the one domain `pooled`, each an interleaved mix of every domain (no
 *   part lines up with a domain). The router sees one domain and never weighs a part against
 *   another part (the margin rule compares domains); it answers from the part whose exemplars
 *   best match the question;
 * - `none`: an empty library: the runtime alone;
 * - `routed-lora` / `merged-lora` (llama runtime with LoRA weights): the same cards carrying
 *   each domain's LoRA, vs the pooled parts carrying one ΔW-merged LoRA.
 */
import { createArtifact, OversizeArtifactError, parseCid } from '../../artifacts/index.ts'
import { MAX_EXEMPLARS } from '../../router/index.ts'
import type { LoraFileInfo, LoraSet } from './lora.ts'
import type { RecallSet } from './data.ts'
import type { RecallNode } from './types.ts'
import type { Exemplar } from '../../router/index.ts'

export const CONDITIONS = ['routed', 'pooled', 'none', 'routed-lora', 'merged-lora'] as const
export type ConditionId = (typeof CONDITIONS)[number]

export const CONDITION_LABELS: Record<ConditionId, string> = {
  routed: 'routed experts (one card per domain)',
  pooled: 'one pooled expert (all domains)',
  none: 'no expert (runtime alone)',
  'routed-lora': 'routed LoRA adapters',
  'merged-lora': 'one ΔW-merged LoRA adapter'
}

export interface ConditionLibrary {
  /** Expert names as the router sees them. */
  experts: number
  /** Signed artifacts stored (a pooled expert is several). */
  artifacts: number
  exemplars: number
  /** The LoRA file the condition's experts carry ('per-domain' or the merged file's name). */
  lora?: string
}

/** Licence recorded on the temporary artifacts: the source data's licence is unclear. */
const DATA_LICENSE = 'unclear (reference data, not redistributed)'

interface ExpertSpec {
  name: string
  domain: string
  description: string
  exemplars: Exemplar[]
  lora?: LoraFileInfo
}

/** Round-robin over the lists: a[0], b[0], c[0], a[1], … */
export function interleave<T> (lists: T[][]): T[] {
  const out: T[] = []
  const longest = Math.max(0, ...lists.map(l => l.length))
  for (let i = 0; i < longest; i++) for (const l of lists) if (i < l.length) out.push(l[i]!)
  return out
}

/** Splits `items` into `k` round-robin parts (part j holds items j, j+k, j+2k, …). */
export function splitParts<T> (items: T[], k: number): T[][] {
  const parts: T[][] = Array.from({ length: k }, () => [])
  items.forEach((x, i) => { parts[i % k]!.push(x) })
  return parts
}

/** Stores one expert as the fewest artifacts that fit (≤ 64 exemplars and ≤ 64 KiB each); returns how many. */
async function putExpert (node: Pick<RecallNode, 'identity' | 'library'>, spec: ExpertSpec): Promise<number> {
  let chunks: string[] = []
  let bytes = 0
  if (spec.lora != null) ({ chunks, bytes } = await node.library.putBlobFile(spec.lora.path))
  for (let k = Math.max(1, Math.ceil(spec.exemplars.length / MAX_EXEMPLARS)); k <= spec.exemplars.length; k++) {
    const parts = splitParts(spec.exemplars, k)
    try {
      const artifacts = []
      for (const [j, exemplars] of parts.entries()) {
        artifacts.push(await createArtifact('adapter', {
          name: k === 1 ? spec.name : `${spec.name}-part${j + 1}of${k}`,
          domain: spec.domain,
          description: spec.description,
          base: spec.lora == null ? { family: 'any', model: '' } : { family: 'llama', model: spec.lora.baseModel.slice(0, 128) },
          format: spec.lora == null ? 'card' : 'gguf-lora',
          rank: spec.lora?.rank ?? 0,
          alpha: spec.lora?.alpha ?? 0,
          targets: spec.lora?.targets ?? [],
          bytes,
          chunks: chunks.map(c => parseCid(c)),
          exemplars,
          license: DATA_LICENSE
        }, node.identity.privateKey))
      }
      for (const a of artifacts) node.library.put(a, { status: 'trusted', reason: 'recall evaluation' })
      return artifacts.length
    } catch (err) {
      if (!(err instanceof OversizeArtifactError)) throw err
    }
  }
  throw new Error(`expert ${spec.name}: an exemplar does not fit in an adapter artifact on its own`)
}

/** Fills `node`'s library for one condition of one set. */
export async function seedCondition (node: Pick<RecallNode, 'identity' | 'library'>, id: ConditionId, set: RecallSet, loras: LoraSet | null): Promise<ConditionLibrary> {
  const exemplars = set.experts.reduce((n, e) => n + e.exemplars.length, 0)
  if (id === 'none') return { experts: 0, artifacts: 0, exemplars: 0 }
  if ((id === 'routed-lora' || id === 'merged-lora') && loras == null) throw new Error(`condition ${id} needs LoRA weights`)
  if (id === 'routed' || id === 'routed-lora') {
    let artifacts = 0
    for (const e of set.experts) {
      const lora = id === 'routed-lora' ? loras!.perDomain.get(e.domain) : undefined
      artifacts += await putExpert(node, {
        name: `${e.domain}-expert`,
        domain: e.domain,
        description: `${e.domain}: the training pairs of this domain`,
        exemplars: e.exemplars,
        ...(lora != null ? { lora } : {})
      })
    }
    return { experts: set.experts.length, artifacts, exemplars, ...(id === 'routed-lora' ? { lora: 'per-domain' } : {}) }
  }
  const lora = id === 'merged-lora' ? loras!.merged : undefined
  const artifacts = await putExpert(node, {
    name: 'pooled',
    domain: 'pooled',
    description: `every training pair of ${set.domains.join(', ')} in one expert`,
    exemplars: interleave(set.experts.map(e => e.exemplars)),
    ...(lora != null ? { lora } : {})
  })
  return { experts: 1, artifacts, exemplars, ...(lora != null ? { lora: `merged (${loras!.mergeMethod})` } : {}) }
}
