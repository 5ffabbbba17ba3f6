/**
 * The one typed node configuration. Only `cli/` reads files, env and flags; components receive
 * their own slice of this object.
 */
export interface EmbedderConfig {
  kind: 'builtin' | 'transformers' | 'openai'
  /** transformers: local model directory; openai: model name. */
  model?: string
  /** openai: base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 */
  baseUrl?: string
  /** openai: bearer token, when the server wants one. */
  apiKey?: string
  /** openai: vector length (asked from the server when absent). */
  dims?: number
}

/** llama: which prebuilt llama.cpp binary to use; `auto` takes the best that loads, else the CPU. */
export type LlamaGpu = 'auto' | false | 'metal' | 'cuda' | 'vulkan'

export interface RuntimeConfig {
  kind: 'retrieval' | 'llama' | 'openai'
  /** llama: base GGUF path; openai: model name. */
  model?: string
  baseUrl?: string
  apiKey?: string
  /** llama: number of contexts kept warm (one per adapter set). */
  poolSize?: number
  /** llama: context window per context (default min(4096, the model's training context)). */
  contextSize?: number
  /** llama: CPU threads per context (default 1 for tiny models, else node-llama-cpp's choice). */
  threads?: number
  /** llama: GPU backend (default `auto`; `false` is the CPU). */
  gpu?: LlamaGpu
  /** openai: per-attempt timeout in ms (default 60000). */
  timeoutMs?: number
  /** openai: how an adapter reaches the server: as the model name (vLLM, Ollama) or llama-server's per-request `lora` ids. */
  lora?: 'model' | 'llama-server' | 'none'
}

export interface ChecksConfig {
  /** Experience A/B check: a JSONL task file (the `baobab learn` format) with held-out tasks. */
  tasks?: string
  /** Grader of those tasks: exact | regex | numeric | keywords (default exact). */
  grader?: string
  /** Outcome reproduction: the recall evaluation's data folder (eval.jsonl + train/). */
  evalData?: string
}

export interface NodeConfig {
  /** Network name; part of gossip topics. */
  network: string
  listen: string[]
  bootstrap: string[]
  mdns: boolean
  /** Pre-shared key text for a private network (older configs; `network create|join` write `pskFile`). */
  psk?: string
  /** Path of the private network's key file (mode 0600): the secret stays there, not in config.json. */
  pskFile?: string
  /** Circuit relay / autonat / dcutr for internet use. */
  relay: boolean
  embedder: EmbedderConfig
  runtime: RuntimeConfig
  policy: 'open' | 'community' | 'strict'
  http?: {
    listen: string
    token?: string
    /** Host names the API answers to besides loopback and the bind address (e.g. a reverse proxy's). */
    allowedHosts?: string[]
    /** Web origins (`http://host:port`) whose pages may call the API (CORS); others get 403. */
    allowedOrigins?: string[]
  }
  /** What this node's own checks on received artifacts run on (besides the model: `runtime`). */
  checks?: ChecksConfig
}

export const DEFAULT_CONFIG: NodeConfig = {
  network: 'default',
  listen: ['/ip4/0.0.0.0/tcp/0'],
  bootstrap: [],
  mdns: true,
  relay: false,
  embedder: { kind: 'builtin' },
  runtime: { kind: 'retrieval' },
  policy: 'community'
}
