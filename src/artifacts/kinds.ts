/** The six artifact kinds: TypeScript body types and their wire schemas (DESIGN.md). */
import { DATA_SCALES } from './constants.ts'
import type { Spec } from './schema.ts'
import type { CID } from 'multiformats/cid'

export interface BaseModel {
  family: string
  model: string
  sha256?: string
  tokenizerSha256?: string
}

export interface Exemplar {
  q: string
  a?: string
}

export interface AdapterBody {
  name: string
  domain: string
  description: string
  base: BaseModel
  /** `gguf-lora`: weights in `chunks`; `card`: a knowledge card with exemplars only. */
  format: 'gguf-lora' | 'card'
  rank: number
  alpha: number
  targets: string[]
  bytes: number
  chunks: CID[]
  exemplars: Exemplar[]
  eval?: { metric: string, score: number, n: number }
  license: string
}

export interface ExperienceBody {
  text: string
  domain: string
  tags: string[]
  confidence: number
  evidence: { groups: number, meanReward: number }
  sketch: { embedder: string, bits: Uint8Array, scale: number }
  replaces?: CID[]
}

export type ParamValue = string | number | boolean

export interface OutcomeBody {
  family: string
  task: string
  tags: string[]
  dataScale: (typeof DATA_SCALES)[number]
  benchmark: string
  baseline: number
  score: number
  delta: number
  method: string
  params: Record<string, ParamValue>
  heldOut: boolean
  nEval: number
  confidence: number
}

export interface VoteBody {
  target: CID
  verdict: 1 | -1
  score?: number
  reason: string
  evidence?: Record<string, ParamValue>
}

export interface ReproductionBody {
  target: CID
  measuredDelta: number
  nEval: number
}

export interface RevocationBody {
  target: CID
  reason: string
}

export interface BodyByKind {
  adapter: AdapterBody
  experience: ExperienceBody
  outcome: OutcomeBody
  vote: VoteBody
  reproduction: ReproductionBody
  revocation: RevocationBody
}

export type Kind = keyof BodyByKind

const str = (max: number, min = 0): Spec => ({ t: 'str', max, min })
const num = (min?: number, max?: number): Spec => ({ t: 'num', min, max })
const int = (min?: number, max?: number): Spec => ({ t: 'num', min, max, int: true })
const unit = num(0, 1)

export const BODY_SPECS: Record<Kind, Extract<Spec, { t: 'obj' }>> = {
  adapter: {
    t: 'obj',
    fields: {
      name: str(64, 1),
      domain: str(64, 1),
      description: str(512),
      base: {
        t: 'obj',
        fields: { family: str(32, 1), model: str(128), sha256: str(64), tokenizerSha256: str(64) },
        optional: ['sha256', 'tokenizerSha256']
      },
      format: { t: 'enum', values: ['gguf-lora', 'card'] },
      rank: int(0, 4096),
      alpha: num(0, 1e6),
      targets: { t: 'arr', of: str(64, 1), max: 64 },
      bytes: int(0, 2 ** 40),
      chunks: { t: 'arr', of: { t: 'cid' }, max: 1024 },
      exemplars: {
        t: 'arr',
        max: 64,
        of: { t: 'obj', fields: { q: str(1000, 1), a: str(2000) }, optional: ['a'] }
      },
      eval: { t: 'obj', fields: { metric: str(32, 1), score: num(), n: int(0) } },
      license: str(64)
    },
    optional: ['eval']
  },
  experience: {
    t: 'obj',
    fields: {
      text: str(320, 1),
      domain: str(64, 1),
      tags: { t: 'arr', of: str(32, 1), max: 8 },
      confidence: unit,
      evidence: { t: 'obj', fields: { groups: int(0), meanReward: num() } },
      sketch: { t: 'obj', fields: { embedder: str(64), bits: { t: 'bytes', max: 128 }, scale: num() } },
      replaces: { t: 'arr', of: { t: 'cid' }, max: 8 }
    },
    optional: ['replaces']
  },
  outcome: {
    t: 'obj',
    fields: {
      family: str(32, 1),
      task: str(64, 1),
      tags: { t: 'arr', of: str(24, 1), max: 6 },
      dataScale: { t: 'enum', values: DATA_SCALES },
      benchmark: str(32, 1),
      baseline: num(),
      score: num(),
      delta: num(),
      method: str(24, 1),
      params: { t: 'scalars', maxKeys: 8, maxKey: 24, maxStr: 32 },
      heldOut: { t: 'bool' },
      nEval: int(1),
      confidence: unit
    }
  },
  vote: {
    t: 'obj',
    fields: {
      target: { t: 'cid' },
      verdict: { t: 'enum', values: [1, -1] },
      score: num(),
      reason: str(64, 1),
      evidence: { t: 'scalars', maxKeys: 8, maxKey: 24, maxStr: 64 }
    },
    optional: ['score', 'evidence']
  },
  reproduction: {
    t: 'obj',
    fields: { target: { t: 'cid' }, measuredDelta: num(), nEval: int(1) }
  },
  revocation: {
    t: 'obj',
    fields: { target: { t: 'cid' }, reason: str(140, 1) }
  }
}
