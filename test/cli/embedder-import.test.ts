/**
 * An embedder model by sneakernet, through the real `baobab` CLI in separate processes: import a
 * transformers model directory (the synthetic ONNX model in ../shared/models), check it against a
 * CID, route with it, and refuse it once a stored file was changed.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { baobab, json } from '../helpers/cli-process.ts'

const BOW = fileURLToPath(new URL('../../../shared/models/synthetic-bow-384/', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'baobab-embedder-cli-'))
after(() => { rmSync(dir, { recursive: true, force: true }) })

interface Imported {
  cid: string
  name: string
  dir: string
  present: boolean
  dims: number
  files: Array<{ path: string, cid: string, bytes: number }>
  embedder: { kind: string, model: string }
  configUpdated: boolean
}
interface Doctor { checks: Array<{ name: string, status: string, detail: string }> }

const check = (home: string, name: string): { status: string, detail: string } => {
  const r = baobab(home, 'doctor', '--json')
  const found = (JSON.parse(r.out) as Doctor).checks.find(c => c.name === name)
  assert.ok(found != null, `doctor has no ${name} check: ${r.out}`)
  return found
}

describe('baobab embedder import', { skip: existsSync(BOW) ? false : `no ${BOW} (shared models are not in this checkout)` }, () => {
  const home = join(dir, 'a')
  let model: Imported

  it('copies the model into the home by CID, writes a manifest and switches config.json to it', () => {
    model = json<Imported>(home, 'embedder', 'import', BOW)
    assert.match(model.cid, /^bafkrei[a-z2-7]+$/)
    assert.equal(model.dir, join(home, 'models', model.cid))
    assert.equal(model.present, false)
    assert.equal(model.dims, 384)
    assert.match(model.name, /^synthetic-bow-384/)
    const paths = model.files.map(f => f.path).sort()
    for (const p of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/model.onnx']) assert.ok(paths.includes(p), `${p} imported`)
    // every stored file is the source's bytes, and distinct contents have distinct CIDs
    for (const f of model.files) {
      assert.deepEqual(readFileSync(join(model.dir, f.path)), readFileSync(join(BOW, f.path)), f.path)
      assert.equal(f.bytes, readFileSync(join(BOW, f.path)).length)
    }
    assert.equal(new Set(model.files.map(f => f.cid)).size, model.files.length)
    const manifest = JSON.parse(readFileSync(join(model.dir, 'manifest.json'), 'utf8')) as { files: unknown }
    assert.deepEqual(manifest.files, model.files)
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { embedder: unknown }
    assert.deepEqual(config.embedder, { kind: 'transformers', model: model.dir })
  })

  it('the same model again, checked against its CID, is already there; one ONNX file of it has the same CID', () => {
    const again = json<Imported>(home, 'embedder', 'import', BOW, '--expect', model.cid)
    assert.equal(again.cid, model.cid)
    assert.equal(again.present, true)
    const single = json<Imported>(join(dir, 'c'), 'embedder', 'import', join(BOW, 'onnx', 'model.onnx'), '--no-use')
    assert.equal(single.cid, model.cid, 'the directory holds only this weights file, so the manifests are equal')
    assert.equal(single.configUpdated, false)
    assert.equal(existsSync(join(dir, 'c', 'config.json')), false, '--no-use leaves config.json alone')
  })

  it('a wrong --expect is a named error and stores nothing', () => {
    const other = join(dir, 'b')
    const wrong = model.files[0]!.cid
    const r = baobab(other, 'embedder', 'import', BOW, '--expect', wrong)
    assert.equal(r.code, 2, r.err)
    assert.match(r.err, /ModelCidMismatchError/)
    assert.ok(r.err.includes(model.cid) && r.err.includes(wrong), r.err)
    const models = join(other, 'models')
    assert.deepEqual(existsSync(models) ? readdirSync(models) : [], [])
    assert.equal(existsSync(join(other, 'config.json')), false)
  })

  it('not a model: a named error', () => {
    const r = baobab(join(dir, 'd'), 'embedder', 'import', join(BOW, 'tokenizer.json'))
    assert.equal(r.code, 3, r.err)
    assert.match(r.err, /EmbeddingModelNotFoundError/)
  })

  it('doctor names the imported model; route embeds with it', () => {
    const em = check(home, 'embedder')
    assert.ok(em.detail.startsWith(`transformers synthetic-bow-384`), em.detail)
    assert.ok(em.detail.includes(`imported model ${model.cid}`), em.detail)
    assert.equal(check(home, 'embedder model').status, 'ok')

    const exemplars = join(dir, 'fish.jsonl')
    writeFileSync(exemplars, JSON.stringify({ q: 'Why are my tilapia gulping air at the pond surface?', a: 'Dissolved oxygen is low: stop feeding and aerate the pond.' }) + '\n')
    assert.equal(baobab(home, 'adapter', 'add', '--name', 'fish', '--domain', 'aquaculture', '--exemplars', exemplars).code, 0)
    const routed = json<{ choice: { name: string } | null, scores: Array<{ score: number }> }>(home, 'route', 'tilapia gulping air at the pond surface')
    assert.equal(routed.scores.length, 1)
    assert.ok(routed.scores[0]!.score > 0.5, `shared words score high with the synthetic model: ${routed.scores[0]!.score}`)
  })

  it('a changed file stops the embedder from loading with a named error, and doctor says so', () => {
    const path = join(model.dir, 'tokenizer_config.json')
    writeFileSync(path, readFileSync(path, 'utf8').replace('}', ', "model_max_length": 8}'))
    const r = baobab(home, 'route', 'tilapia gulping air', '--json')
    assert.notEqual(r.code, 0)
    assert.match(r.err, /ModelFileChangedError/)
    assert.ok(r.err.includes('tokenizer_config.json'), r.err)
    const em = check(home, 'embedder model')
    assert.equal(em.status, 'fail')
    assert.match(em.detail, /tokenizer_config\.json was changed/)
  })
})
