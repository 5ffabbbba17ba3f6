/** Imported embedder models: one weights variant, a changed manifest, and the embedder over the copy. */
import assert from 'node:assert/strict'
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { importModel, verifyModel } from '../../src/embedding/model-store.ts'
import { transformersEmbedder } from '../../src/embedding/index.ts'

const BOW = fileURLToPath(new URL('../../../shared/models/synthetic-bow-384/', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'baobab-model-store-'))
after(() => { rmSync(dir, { recursive: true, force: true }) })

describe('imported embedder models', { skip: existsSync(BOW) ? false : `no ${BOW} (shared models are not in this checkout)` }, () => {
  it('a model that carries only quantized weights loads them, and embeds as the source folder does', async () => {
    const usb = join(dir, 'usb', 'bow-q8')
    cpSync(BOW, usb, { recursive: true })
    copyFileSync(join(usb, 'onnx', 'model.onnx'), join(usb, 'onnx', 'model_quantized.onnx'))
    rmSync(join(usb, 'onnx', 'model.onnx'))
    const model = await importModel(join(dir, 'home'), usb)
    assert.deepEqual(model.manifest.files.filter(f => f.path.startsWith('onnx/')).map(f => f.path), ['onnx/model_quantized.onnx'])
    const imported = transformersEmbedder({ modelPath: model.dir })
    assert.match(imported.id, /:q8:/)
    const source = transformersEmbedder({ modelPath: usb, dtype: 'q8' })
    // the weights part of the id is the same sha256, read from the manifest or hashed from the file
    assert.equal(imported.id.split(':').at(-1), source.id.split(':').at(-1))
    const [a, b] = await Promise.all([imported, source].map(async e => (await e.doEmbed({ values: ['maize rust on the leaves'] })).embeddings[0]!))
    assert.deepEqual(a, b)
  })

  it('a changed manifest no longer hashes to the folder name: ModelFileChangedError', async () => {
    const model = await importModel(join(dir, 'home2'), BOW)
    assert.equal(verifyModel(model.dir).cid, model.cid)
    const path = join(model.dir, 'manifest.json')
    writeFileSync(path, readFileSync(path, 'utf8').replace('synthetic', 'Synthetic'))
    assert.throws(() => verifyModel(model.dir), { name: 'ModelFileChangedError' })
    assert.throws(() => transformersEmbedder({ modelPath: model.dir }), { name: 'ModelFileChangedError' })
  })

  it('a folder without weights is not a model, and nothing is stored', async () => {
    const usb = join(dir, 'usb', 'no-weights')
    cpSync(BOW, usb, { recursive: true })
    rmSync(join(usb, 'onnx'), { recursive: true })
    const home = join(dir, 'home3')
    await assert.rejects(importModel(home, usb), { name: 'EmbeddingModelNotFoundError' })
    assert.equal(existsSync(join(home, 'models')), false)
  })
})
