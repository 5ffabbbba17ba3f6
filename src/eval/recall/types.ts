/** Options and report shapes of the recall evaluation (`baobab eval recall`). */
import type { MergeMethod } from '../../adapters/index.ts'
import type { Identity } from '../../artifacts/index.ts'
import type { NodeConfig, RuntimeConfig } from '../../config.ts'
import type { Embedder } from '../../embedding/index.ts'
import type { Library } from '../../library/index.ts'
import type { RouteDecision } from '../../router/index.ts'
import type { ChatMessage, GenerateResult, KnowledgeRef, LlmRuntime } from '../../runtime/index.ts'
import type { ConditionId, ConditionLibrary } from './conditions.ts'
import type { ReferenceTable } from './reference.ts'

export interface RecallProgress {
  type: 'recall:answer'
  done: number
  total: number
}

/** The part of a node the evaluation uses (a node from `createNode` is one). */
export interface RecallNode {
  readonly identity: Identity
  readonly library: Library
  readonly embedder: Embedder
  start(): Promise<void>
  stop(): Promise<void>
  ask(messages: ChatMessage[], options: { maxTokens?: number, temperature?: number, seed?: number, signal?: AbortSignal }): Promise<{
    result: GenerateResult
    decision: RouteDecision
    expert: { name: string, domain: string } | null
    knowledge: KnowledgeRef | undefined
  }>
}

/** Builds one condition's node: a fresh home, mesh off, the shared runtime (`createNode` fits). */
export type MakeRecallNode = (init: { home: string, config: NodeConfig, mesh: false, runtime: LlmRuntime }) => Promise<RecallNode>

export interface RecallEvalOptions {
  /** Folder with eval.jsonl, train/ and optionally results.json. */
  dataDir: string
  /** Builds each condition's node (`createNode`). */
  makeNode: MakeRecallNode
  /** Sets to run (default: every set in eval.jsonl). */
  sets?: string[]
  /** Runtime every condition's node answers with (default retrieval). */
  runtime?: RuntimeConfig
  /** Use this runtime instance instead of building one from `runtime` (it is not closed). */
  runtimeInstance?: LlmRuntime
  /**
   * LoRA weights for the routed-vs-merged adapter conditions (llama runtime): 'synthetic'
   * (random LoRAs for the bundled tiny model), a folder of `<domain>.gguf`, or 'none'.
   * Default: 'synthetic' with the tiny model, else 'none'.
   */
  lora?: string
  /** ΔW merge of the LoRAs (default ties, density 0.5). */
  mergeMethod?: MergeMethod
  maxTokens?: number
  temperature?: number
  seed?: number
  /** Keep each answer's text in the report (not written to docs: the data's licence is unclear). */
  keepAnswers?: boolean
  /** Where temporary node homes go (default the OS temp folder); removed afterwards. */
  workDir?: string
  signal?: AbortSignal
  onProgress?: (event: RecallProgress) => void
}

export interface RecallItem {
  id: string
  domain: string
  /** 0..100 */
  recall: number
  found: number
  keywords: number
  missing: string[]
  /** The expert that answered, or null (abstained / empty library). */
  expert: { name: string, domain: string } | null
  /** The router's reason code (confident, below-threshold, empty-library, …). */
  reason: string
  /** The answering expert carried LoRA weights. */
  lora: boolean
  answerChars: number
  answer?: string
}

export interface ConditionReport {
  id: ConditionId
  label: string
  library: ConditionLibrary
  overall: number
  perDomain: Record<string, number>
  /** Questions answered by an expert of their own domain, by another expert, by none. */
  routing: { ownDomain: number, otherExpert: number, noExpert: number }
  items: RecallItem[]
}

export interface SetReport {
  set: string
  domains: string[]
  questions: number
  /** Questions that are word for word a training instruction. */
  verbatim: number
  /** Recall of the domain's whole training text: what any answer drawn from it could reach. */
  ceiling: { overall: number, perDomain: Record<string, number> }
  conditions: ConditionReport[]
}

export interface RecallReport {
  format: string
  created: string
  data: string
  runtime: { kind: RuntimeConfig['kind'], model: string | null, provider: string, tinyModel: boolean }
  embedder: string
  generation: { maxTokens: number | null, temperature: number | null, seed: number | null }
  metric: string
  sets: SetReport[]
  lora: { source: string, mergeMethod: string, retention: Record<string, Record<string, number>> } | null
  reference: ReferenceTable | null
  caveats: string[]
  durationMs: number
}

export type RecallEvalResult = RecallReport | { skipped: string }
