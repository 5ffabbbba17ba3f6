/**
 * Optional embedder backed by @huggingface/transformers (ONNX, in process) and a model directory
 * on local disk — e.g. all-MiniLM-L6-v2 with its `onnx/` folder. Remote downloads are switched
 * off; a missing or incomplete directory is an `EmbeddingModelNotFoundError`. A model imported with
 * `baobab embedder import` (model-store.ts) is re-verified against its manifest first: a changed
 * file is a `ModelFileChangedError`.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { logger } from '@libp2p/logger'
import { parseCid } from '../artifacts/index.ts'
import { EmbeddingFailedError, EmbeddingModelNotFoundError } from './errors.ts'
import { ModelEmbedder } from './model-embedder.ts'
import { ONNX_FILE, isImportedModel, readModelConfig, verifyModel } from './model-store.ts'
import { normalize } from './vectors.ts'
import type { EmbedOptions, EmbedResult } from './types.ts'

const log = logger('baobab:embedding:transformers')

export interface TransformersEmbedderInit {
  /** Model directory: config.json, tokenizer.json and onnx/model*.onnx. */
  modelPath: string
  /** ONNX weights variant (default 'fp32' → onnx/model.onnx; 'q8' → model_quantized.onnx). */
  dtype?: 'fp32' | 'fp16' | 'q8'
  /** Pooling over tokens (default 'mean'). */
  pooling?: 'mean' | 'cls'
}

/** An imported model's weights variant: fp32 when present, else the one it carries. */
function importedDtype (paths: string[]): 'fp32' | 'fp16' | 'q8' {
  const variants = (Object.keys(ONNX_FILE) as Array<'fp32' | 'fp16' | 'q8'>).filter(d => paths.includes(`onnx/${ONNX_FILE[d]}`))
  return variants.includes('fp32') || variants.length === 0 ? 'fp32' : variants[0]!
}

type Extractor = (texts: string[], options: { pooling: 'mean' | 'cls', normalize: boolean }) => Promise<{ data: ArrayLike<number>, dims: number[] }>

export class TransformersEmbedder extends ModelEmbedder {
  private readonly dir: string
  private readonly dtype: 'fp32' | 'fp16' | 'q8'
  private readonly pooling: 'mean' | 'cls'
  private extractor: Promise<Extractor> | null = null

  constructor (init: TransformersEmbedderInit) {
    const dir = resolve(init.modelPath)
    // an imported model is re-hashed file by file before anything of it is read
    const imported = isImportedModel(dir) ? verifyModel(dir) : null
    const dtype = init.dtype ?? (imported == null ? 'fp32' : importedDtype(imported.manifest.files.map(f => f.path)))
    const pooling = init.pooling ?? 'mean'
    const configPath = join(dir, 'config.json')
    const onnxPath = join(dir, 'onnx', ONNX_FILE[dtype])
    for (const needed of [configPath, join(dir, 'tokenizer.json'), onnxPath]) {
      if (!existsSync(needed)) {
        throw new EmbeddingModelNotFoundError(needed, `embedding model file missing: ${needed}`)
      }
    }
    const hidden = readModelConfig(configPath).dims
    const modelId = basename(dir)
    // an imported model's weights were just hashed: its manifest CID carries the same sha256
    const onnxCid = imported?.manifest.files.find(f => f.path === `onnx/${ONNX_FILE[dtype]}`)?.cid
    const digest = onnxCid == null ? createHash('sha256').update(readFileSync(onnxPath)).digest() : parseCid(onnxCid).multihash.digest
    const weights = Buffer.from(digest).toString('hex').slice(0, 12)
    super({ provider: 'transformers', modelId, dims: hidden, id: `transformers:${modelId}:${dtype}:${pooling}:${weights}` })
    this.dir = dir
    this.dtype = dtype
    this.pooling = pooling
    log('model %s (%d dims, %d bytes of weights)', this.dir, this.dims, statSync(onnxPath).size)
  }

  private async load (): Promise<Extractor> {
    this.extractor ??= (async () => {
      const tf = await import('@huggingface/transformers')
      tf.env.allowRemoteModels = false
      tf.env.allowLocalModels = true
      // the model directory's own path, not a name under the global env.localModelPath: two
      // embedders from different folders may load at the same time
      const pipe = await tf.pipeline('feature-extraction', this.dir, { dtype: this.dtype, device: 'cpu' })
      return pipe as unknown as Extractor
    })()
    try {
      return await this.extractor
    } catch (err) {
      this.extractor = null
      throw new EmbeddingFailedError(this.id, `cannot load ${this.dir}: ${(err as Error).message}`, undefined, { cause: err })
    }
  }

  async doEmbed (options: EmbedOptions): Promise<EmbedResult> {
    options.signal?.throwIfAborted()
    if (options.values.length === 0) return { embeddings: [] }
    const extract = await this.load()
    options.signal?.throwIfAborted()
    let out: { data: ArrayLike<number>, dims: number[] }
    try {
      out = await extract(options.values, { pooling: this.pooling, normalize: true })
    } catch (err) {
      throw new EmbeddingFailedError(this.id, `embedding failed: ${(err as Error).message}`, undefined, { cause: err })
    }
    options.signal?.throwIfAborted()
    const [n, d] = out.dims
    if (n !== options.values.length || d !== this.dims) {
      throw new EmbeddingFailedError(this.id, `model returned shape [${out.dims.join(', ')}], expected [${options.values.length}, ${this.dims}]`)
    }
    const embeddings: Float32Array[] = []
    for (let i = 0; i < n; i++) embeddings.push(normalize(Float32Array.from(Array.prototype.slice.call(out.data, i * d, (i + 1) * d) as number[])))
    return { embeddings }
  }
}

export function transformersEmbedder (init: TransformersEmbedderInit): TransformersEmbedder {
  return new TransformersEmbedder(init)
}
