/**
 * Embedder models by sneakernet: a transformers model directory (config, tokenizer, ONNX weights)
 * copied into the node's home under `models/<manifest CID>/`, every file named in a manifest by
 * its raw CID. The directory's name is the CID of the manifest's bytes, so one CID pins the whole
 * model: `importModel(..., { expect })` refuses (and stores nothing) when the files hash to
 * another, and `verifyModel(dir)` re-checks every file before the model is loaded.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fsyncPathAsync, rawCid, rawCidAsync, writeFileAtomic } from '../artifacts/index.ts'
import { EmbeddingModelNotFoundError, ModelCidMismatchError, ModelFileChangedError } from './errors.ts'

/** Folder of the node home that holds imported models. */
export const MODELS_DIR = 'models'
export const MODEL_MANIFEST = 'manifest.json'
const FORMAT = 'baobab-embedder-model/1'
/** Files transformers.js reads besides the weights; the first two are required. */
const REQUIRED = ['config.json', 'tokenizer.json']
const OPTIONAL = ['tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']
/** The ONNX weights file of each variant transformers.js loads (its `dtype`). */
export const ONNX_FILE: Readonly<Record<'fp32' | 'fp16' | 'q8', string>> = { fp32: 'model.onnx', fp16: 'model_fp16.onnx', q8: 'model_quantized.onnx' }
const WEIGHTS = Object.values(ONNX_FILE)
/** A model file larger than this cannot be read into memory in one piece. */
const MAX_FILE_BYTES = 2 ** 31 - 1

export interface ModelFile { path: string, cid: string, bytes: number }
export interface ModelManifest { format: string, name: string, files: ModelFile[] }
export interface ImportedModel {
  /** CID of the manifest: names the model and its directory. */
  cid: string
  dir: string
  manifest: ModelManifest
  /** True when this model was already in the home (nothing was written). */
  present: boolean
}

/** The files of a model directory to import, or of one ONNX file inside its `onnx/` folder. */
function sourceFiles (source: string): { root: string, paths: string[] } {
  const abs = resolve(source)
  if (!existsSync(abs)) throw new EmbeddingModelNotFoundError(abs, `no model at ${abs}`)
  let root = abs
  let onnx: string[]
  if (statSync(abs).isFile()) {
    if (!WEIGHTS.includes(basename(abs)) || basename(dirname(abs)) !== 'onnx') {
      throw new EmbeddingModelNotFoundError(abs, `${abs} is not onnx/${WEIGHTS.join(', onnx/')} of a model directory (or pass the model directory)`)
    }
    root = dirname(dirname(abs))
    onnx = [`onnx/${basename(abs)}`]
  } else {
    const dir = join(abs, 'onnx')
    onnx = existsSync(dir) ? readdirSync(dir).filter(f => WEIGHTS.includes(f)).sort().map(f => `onnx/${f}`) : []
    if (onnx.length === 0) throw new EmbeddingModelNotFoundError(dir, `no ONNX weights (${WEIGHTS.join(', ')}) in ${dir}`)
  }
  for (const f of REQUIRED) {
    if (!existsSync(join(root, f))) throw new EmbeddingModelNotFoundError(join(root, f), `embedding model file missing: ${join(root, f)}`)
  }
  return { root, paths: [...REQUIRED, ...OPTIONAL.filter(f => existsSync(join(root, f))), ...onnx] }
}

function readModelFile (path: string): Uint8Array {
  const size = statSync(path).size
  if (size > MAX_FILE_BYTES) throw new EmbeddingModelNotFoundError(path, `${path} is ${size} bytes, more than ${MAX_FILE_BYTES} can be read`)
  return new Uint8Array(readFileSync(path))
}

/** A model's config.json: its vector length (`hidden_size`) and the name it gives itself. */
export function readModelConfig (path: string, bytes: Uint8Array = readModelFile(path)): { dims: number, name: string } {
  let config: { hidden_size?: unknown, _name_or_path?: unknown }
  try {
    config = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof config
  } catch (err) {
    throw new EmbeddingModelNotFoundError(path, `unreadable model config: ${path}`, { cause: err })
  }
  const dims = config?.hidden_size
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims <= 0) {
    throw new EmbeddingModelNotFoundError(path, `model config has no hidden_size: ${path}`)
  }
  const name = typeof config._name_or_path === 'string' && config._name_or_path !== '' ? config._name_or_path.slice(0, 200) : 'unnamed'
  return { dims, name }
}

function manifestBytes (manifest: ModelManifest): Uint8Array {
  return Buffer.from(JSON.stringify(manifest, null, 2) + '\n')
}

/**
 * Hashes every file of `source`, checks the manifest CID against `expect`, then copies the files
 * into `<home>/models/<cid>/` (a temp folder renamed into place, so a crash leaves all or none).
 */
export async function importModel (home: string, source: string, options: { expect?: string } = {}): Promise<ImportedModel> {
  const { root, paths } = sourceFiles(source)
  const contents = paths.map(p => readModelFile(join(root, p)))
  const files: ModelFile[] = []
  for (const [i, path] of paths.entries()) files.push({ path, cid: (await rawCidAsync(contents[i]!)).toString(), bytes: contents[i]!.length })
  const manifest: ModelManifest = { format: FORMAT, name: readModelConfig(join(root, paths[0]!), contents[0]).name, files }
  const bytes = manifestBytes(manifest)
  const cid = rawCid(bytes).toString()
  if (options.expect != null && options.expect !== cid) throw new ModelCidMismatchError(root, options.expect, cid)
  const models = join(home, MODELS_DIR)
  const dir = join(models, cid)
  if (existsSync(dir)) {
    verifyModel(dir)
    return { cid, dir, manifest, present: true }
  }
  const tmp = join(models, `.import-${randomBytes(6).toString('hex')}`)
  mkdirSync(join(tmp, 'onnx'), { recursive: true })
  try {
    files.forEach((f, i) => { writeFileAtomic(join(tmp, f.path), contents[i]!) })
    writeFileAtomic(join(tmp, MODEL_MANIFEST), bytes)
    renameSync(tmp, dir)
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true })
    throw err
  }
  await fsyncPathAsync(models, true)
  return { cid, dir, manifest, present: false }
}

/** True when `dir` holds an imported model (a manifest written by `importModel`). */
export function isImportedModel (dir: string): boolean {
  return existsSync(join(dir, MODEL_MANIFEST))
}

/**
 * Re-hashes an imported model: the manifest must hash to the directory's name and every file to
 * its CID in the manifest. Throws `ModelFileChangedError` naming the first file that differs.
 */
export function verifyModel (dir: string): ImportedModel {
  const abs = resolve(dir)
  const cid = basename(abs)
  const manifestPath = join(abs, MODEL_MANIFEST)
  if (!existsSync(manifestPath)) throw new EmbeddingModelNotFoundError(manifestPath, `no ${MODEL_MANIFEST} in ${abs}: not an imported model`)
  const bytes = readModelFile(manifestPath)
  const actual = rawCid(bytes).toString()
  if (actual !== cid) throw new ModelFileChangedError(manifestPath, cid, actual)
  const manifest = JSON.parse(Buffer.from(bytes).toString('utf8')) as ModelManifest
  for (const f of manifest.files) {
    const path = join(abs, f.path)
    if (!existsSync(path)) throw new EmbeddingModelNotFoundError(path, `imported model file missing: ${path}`)
    const got = rawCid(readModelFile(path)).toString()
    if (got !== f.cid) throw new ModelFileChangedError(path, f.cid, got)
  }
  return { cid, dir: abs, manifest, present: true }
}
