/**
 * The `LlmRuntime` contract: one interface for every way Baobab produces text
 * (in-process llama.cpp, an OpenAI-compatible server, or retrieval with no model).
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  /** `assistant`: the tool calls it made (its `content` may then be empty). */
  toolCalls?: ToolCall[]
  /** `tool`: the id of the call this message answers. */
  toolCallId?: string
  /** `tool`: the function's name, when the caller sent it. */
  name?: string
}

/** A function call the model asked for; `arguments` is JSON text, as OpenAI sends it. */
export interface ToolCall {
  id: string
  name: string
  arguments: string
}

/** A function the model may call (OpenAI `tools[].function`). */
export interface ToolDefinition {
  name: string
  description?: string
  /** JSON Schema of the arguments object. */
  parameters?: Record<string, unknown>
}

/** `auto`: the model decides; `required`: it must call one; `{ name }`: it must call that one. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string }

/** The shape of the answer text (OpenAI `response_format`). */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema', name?: string, schema: Record<string, unknown>, strict?: boolean }

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

/**
 * One LoRA adapter to apply, as the backend sees it. Chosen from `knowledge` by the adapter
 * middleware (`adapterMiddleware`), never inside a runtime.
 */
export interface AdapterSpec {
  /** Local name (expert name). The `openai` runtime sends it as the model (vLLM, Ollama). */
  name: string
  /** GGUF LoRA file on disk (`llama` runtime). */
  path?: string
  /** Server-side adapter id (llama-server's per-request `lora: [{id, scale}]`). */
  id?: number
  /** Default 1; 0 gives the base model's output. */
  scale?: number
}

export interface Experience {
  cid: string
  text: string
}

/** How an answer is generated, as a caller asks for it (a node's `ask` takes the same fields). */
export interface GenerationSettings {
  maxTokens?: number
  temperature?: number
  seed?: number
  /** Functions the model may call (runtimes that cannot call them answer with text). */
  tools?: ToolDefinition[]
  toolChoice?: ToolChoice
  /** JSON answers; a runtime that cannot honour it throws `UnsupportedRequestError` (errors.ts, a 400 over HTTP). */
  responseFormat?: ResponseFormat
  /** The answer ends before the first of these strings (which is not part of it). */
  stop?: string[]
}

export interface GenerateOptions extends GenerationSettings {
  messages: ChatMessage[]
  knowledge?: KnowledgeRef
  /** LoRA adapters to apply (empty or absent: the base model). Set by `adapterMiddleware`. */
  adapters?: AdapterSpec[]
  experiences?: Experience[]
  signal?: AbortSignal
  /** Backend-specific knobs. */
  runtimeOptions?: Record<string, unknown>
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'abort' | 'error'

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
  /** Function calls the model asked for (finish reason `tool-calls`). */
  toolCalls?: ToolCall[]
}

export type StreamPart =
  | { type: 'text-start' }
  | { type: 'text-delta', delta: string }
  | { type: 'text-end' }
  | { type: 'tool-call', toolCall: ToolCall }
  | {
    type: 'finish'
    finishReason: FinishReason
    usage: Usage
    /** Same meaning as in {@link GenerateResult}; absent when empty. */
    warnings?: string[]
    retrieved?: boolean
  }
  | { type: 'error', error: unknown }

export interface LlmRuntime {
  readonly specificationVersion: 'v1'
  readonly provider: string
  readonly modelId: string
  doGenerate(options: GenerateOptions): Promise<GenerateResult>
  doStream(options: GenerateOptions): Promise<ReadableStream<StreamPart>>
  close(): Promise<void>
}

/** Options for {@link TokenDistributionSource.nextTokenDistribution}. */
export interface TokenDistributionOptions {
  /** Adapters to apply (absent or empty: the base model). */
  adapters?: AdapterSpec[]
  /** How many of the most likely tokens to list in `top` (default 10). */
  topK?: number
  /** Prepend the model's BOS token (default true). */
  addBos?: boolean
  signal?: AbortSignal
}

/** The model's next-token distribution after a raw prompt (softmax at temperature 1, no sampling filters). */
export interface TokenDistribution {
  /** Token ids of the prompt as evaluated. */
  promptTokens: number[]
  vocabSize: number
  /** `probabilities[tokenId]`, full vocabulary, sums to ~1. */
  probabilities: Float32Array
  /** Natural-log probabilities (logits up to an additive constant), same indexing. */
  logProbabilities: Float32Array
  /** The `topK` most likely tokens, most likely first. */
  top: Array<{ token: number, text: string, probability: number }>
}

/** A runtime that can expose next-token probabilities (the llama runtime), for canaries and KL checks. */
export interface TokenDistributionSource {
  nextTokenDistribution(prompt: string, options?: TokenDistributionOptions): Promise<TokenDistribution>
}

/** Wraps a runtime call: STYLE §3 middleware (pick the LoRA adapter here, not inside runtimes). */
export interface RuntimeMiddleware {
  /** Rewrites the options before they reach the runtime (both `doGenerate` and `doStream`). */
  transformOptions?: (options: GenerateOptions) => GenerateOptions | Promise<GenerateOptions>
}
