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
  /** openai: per-attempt timeout in ms (default 60000). */
  timeoutMs?: number
  /** openai: how an adapter reaches the server: as the model name (vLLM, Ollama) or llama-server's per-request `lora` ids. */
  lora?: 'model' | 'llama-server' | 'none'
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
  http?: { listen: string, token?: string }
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
