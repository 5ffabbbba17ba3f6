import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { recallOutcomeFile, renderRecallMarkdown, runRecallEval } from '../../src/eval/index.ts'
import { createNode } from '../../src/node/index.ts'

const FIXTURE = new URL('../fixtures/recall-eval/', import.meta.url).pathname
const TINY = new URL('../fixtures/llama-2-tiny-random.gguf', import.meta.url).pathname
const tmp = mkdtempSync(join(tmpdir(), 'baobab-eval-llama-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })

describe('recall harness on the llama runtime (bundled tiny model, real GGUF and LoRA loads)', () => {
  it('answers routed vs ΔW-merged synthetic LoRAs through the node, with honest caveats', async () => {
    const r = await runRecallEval({
      dataDir: FIXTURE,
      makeNode: createNode,
      workDir: tmp,
      runtime: { kind: 'llama', model: TINY, poolSize: 4, contextSize: 256 },
      maxTokens: 6,
      temperature: 0,
      seed: 7,
      keepAnswers: true
    })
    assert.ok(!('skipped' in r))
    const [set] = r.sets
    assert.deepEqual(set!.conditions.map(c => c.id), ['routed', 'pooled', 'none', 'routed-lora', 'merged-lora'])
    const by = (id: string) => set!.conditions.find(c => c.id === id)!
    // cards carry no weights: the model gets no LoRA (the routed card's reference answers go into its prompt)
    for (const id of ['routed', 'pooled', 'none']) assert.ok(by(id).items.every(i => !i.lora), id)
    assert.ok(by('routed').items.every(i => i.expert?.domain === i.domain), 'cards routed to their own domain')
    assert.ok(by('none').items.every(i => i.expert == null))
    // LoRA experts: routed to their own domain, each answer generated with an adapter applied
    assert.deepEqual(by('routed-lora').routing, { ownDomain: 6, otherExpert: 0, noExpert: 0 })
    assert.ok(by('routed-lora').items.every(i => i.lora))
    assert.ok(by('merged-lora').items.every(i => i.lora && i.expert?.domain === 'pooled'))
    assert.equal(by('merged-lora').library.lora, 'merged (ties)')
    // a random LoRA changes the tiny model's output
    assert.notDeepEqual(by('routed-lora').items.map(i => i.answer), by('none').items.map(i => i.answer))
    assert.deepEqual(Object.keys(r.lora!.retention.mini!), ['orchards', 'beekeeping'])
    assert.ok(Object.values(r.lora!.retention.mini!).every(c => c > 0 && c < 1))
    assert.equal(r.runtime.tinyModel, true)
    assert.match(r.caveats.join('\n'), /gibberish/)
    assert.match(renderRecallMarkdown(r), /LoRA adapters \(synthetic\)/)
    const file = recallOutcomeFile(r)
    assert.equal(file.method, 'lora')
    assert.equal(file.family, 'llama-2-tiny-random')
  })
})
