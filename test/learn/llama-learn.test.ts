/**
 * The learning loop and its evaluation on the llama runtime with the tiny random GGUF
 * (test/fixtures, else ../shared/models): its output is gibberish, so the loop must complete —
 * stage-2 replies, if any, are malformed and skipped — and the evaluation must report no gain.
 * Kept short: 2 train + 2 test tasks, group 2, 1 epoch, a few tokens.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { evaluateLearning } from '../../src/eval/index.ts'
import { experienceSource, learn, loadGrader } from '../../src/learn/index.ts'
import { parseTasks } from '../../src/learn/tasks.ts'
import { createRuntime } from '../../src/runtime/index.ts'
import { cleanup, storeFixture } from './helpers.ts'

after(cleanup)

function tinyModel (): string | null {
  const local = fileURLToPath(new URL('../fixtures/llama-2-tiny-random.gguf', import.meta.url))
  if (existsSync(local)) return local
  const shared = fileURLToPath(new URL('../../../shared/models/llama-2-tiny-random.gguf', import.meta.url))
  return existsSync(shared) ? shared : null
}

describe('learning on the llama runtime (tiny random model)', () => {
  it('completes and honestly reports no gain', async (t) => {
    const model = tinyModel()
    if (model == null) {
      t.skip('tiny GGUF model not found in test/fixtures or ../shared/models')
      return
    }
    const { store, library, embedder } = await storeFixture()
    const runtime = createRuntime({ kind: 'llama', model })
    const grader = await loadGrader('keywords')
    const tasks = parseTasks([
      { id: 'a', question: 'What concentration of neem oil deters the locust?', keywords: ['12%', 'neem oil'], split: 'train' },
      { id: 'b', question: 'When should neem oil be applied?', keywords: ['4 AM'], split: 'train' },
      { id: 'c', question: 'How is a locust infestation identified early?', keywords: ['silver frass', 'UV light'], split: 'test' },
      { id: 'd', question: 'What flow rate suits drip irrigation of maize?', keywords: ['litres', 'hour'], split: 'test' }
    ].map(x => JSON.stringify(x)).join('\n'))
    try {
      const report = await learn({ store, runtime, grader, tasks, group: 2, epochs: 1, maxTokens: 6, criticMaxTokens: 24, seed: 1 })
      const e = report.epochs[0]!
      assert.equal(e.rollouts, 4)
      assert.equal(e.groups + e.skippedUniform, 2)
      assert.equal(e.ops.ADD + e.ops.UPDATE + e.ops.DELETE + e.ops.MERGE, store.history().filter(h => h.op !== 'NONE').length)
      // whatever gibberish came back, the library only holds valid experiences
      for (const v of store.list()) assert.ok(v.text.split(/\s+/).length <= 40)
      const ev = await evaluateLearning({ runtime, grader, tasks, source: experienceSource(library, embedder), seeds: [1, 2], maxTokens: 6 })
      assert.equal(ev.tasks, 2)
      assert.equal(ev.verdict, 'no significant change')
      assert.ok(ev.with.mean <= 0.5 && ev.without.mean <= 0.5)
    } finally {
      await grader.close()
      await runtime.close()
    }
  })
})
