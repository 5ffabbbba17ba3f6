/**
 * The `LlmRuntime` contract: one interface for every way Baobab produces text
 * (in-process llama.cpp, an OpenAI-compatible server, or retrieval with no model).
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** Knowledge the router picked for a question: a LoRA file and/or exemplar answers. */
export interface KnowledgeRef {
  /** CID of the adapter artifact, or a local name. */
  id: string
  name: string
  domain: string
  /** GGUF LoRA file on disk, when the expert has weights. */
  loraPath?: string
  /** Adapter scale (default 1). */
  scale?: number
  /** Best-matching exemplars for this question, best first (retrieval runtime answers from these). */
  exemplars?: Array<{ q: string, a?: string, score?: number }>
}

export interface Experience {
  cid: string
  text: string
}

export interface GenerateOptions {
  messages: ChatMessage[]
  knowledge?: KnowledgeRef
  experiences?: Experience[]
  maxTokens?: number
  temperature?: number
  seed?: number
  signal?: AbortSignal
  /** Backend-specific knobs. */
  runtimeOptions?: Record<string, unknown>
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'error'

export interface Usage {
  inputTokens: number
  outputTokens: number
}

export interface GenerateResult {
  text: string
  finishReason: FinishReason
  usage: Usage
  /** Things the caller should know (e.g. "adapter ignored: runtime has no LoRA support"). */
  warnings: string[]
  /** True when the text was retrieved rather than generated. */
  retrieved?: boolean
}

export type StreamPart =
  | { type: 'text-start' }
  | { type: 'text-delta', delta: string }
  | { type: 'text-end' }
  | { type: 'finish', finishReason: FinishReason, usage: Usage }
  | { type: 'error', error: unknown }

export interface LlmRuntime {
  readonly specificationVersion: 'v1'
  readonly provider: string
  readonly modelId: string
  doGenerate(options: GenerateOptions): Promise<GenerateResult>
  doStream(options: GenerateOptions): Promise<ReadableStream<StreamPart>>
  close(): Promise<void>
}
