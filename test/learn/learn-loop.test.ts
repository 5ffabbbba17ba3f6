/**
 * The training-free GRPO loop against the scripted lesson world (a test double for an LLM, see
 * lesson-world.ts): the loop must discover the format lesson from contrasting rollouts, and
 * held-out accuracy must rise. The dry-run ablation (stage-2 operations computed but not
 * applied) must show no gain — so this suite fails if the operations are ignored.
 */
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { evaluateLearning } from '../../src/eval/index.ts'
import { experienceSource, learn, loadGrader, readTasks } from '../../src/learn/index.ts'
import { parseTasks } from '../../src/learn/tasks.ts'
import { cleanup, storeFixture } from './helpers.ts'
import { FORMAT_LESSON, lessonWorld, promptHasFormatLesson } from './lesson-world.ts'
import type { LearnProgress } from '../../src/learn/index.ts'

after(cleanup)

const fixture = (p: string): string => fileURLToPath(new URL(`../fixtures/learn/${p}`, import.meta.url))
const tasks = readTasks(fixture('arithmetic.jsonl'))

describe('learning loop with the scripted lesson world', () => {
  it('discovers the lesson; training reward and held-out accuracy rise', async () => {
    const { store, library, embedder } = await storeFixture()
    const { runtime, stats } = lessonWorld()
    const grader = await loadGrader('exact')
    const events: LearnProgress[] = []
    const report = await learn({ store, runtime, grader, tasks, group: 5, epochs: 2, batchSize: 4, seed: 0, onProgress: e => events.push(e) })

    // the lesson is in the library, learned by the loop, with evidence from a real group
    const lesson = report.experiences.find(e => promptHasFormatLesson(e.text))
    assert.ok(lesson != null, `lesson not learned: ${JSON.stringify(report.experiences)}`)
    assert.equal(lesson.text, FORMAT_LESSON)
    assert.equal(lesson.domain, 'arithmetic')
    const view = store.get(lesson.cid)
    assert.ok(view.evidence.groups >= 1 && view.evidence.meanReward > 0 && view.evidence.meanReward < 1)
    assert.ok(store.history(lesson.cid).some(h => h.op === 'ADD' && h.origin === 'learn'))

    // learning curve
    const [e1, e2] = report.epochs
    assert.equal(e1!.rollouts, 60)
    assert.ok(e2!.meanReward > e1!.meanReward, `epoch rewards ${e1!.meanReward} → ${e2!.meanReward}`)
    const firstBatch = events.find(e => e.type === 'learn:batch')
    assert.ok(firstBatch?.type === 'learn:batch' && firstBatch.meanReward < 0.35, 'before the lesson the solver mostly fails')
    assert.ok(e2!.meanReward > 0.65)
    assert.ok(e1!.skippedUniform + e1!.groups === 12)
    assert.ok(events.filter(e => e.type === 'learn:epoch').length === 2)
    assert.ok(events.some(e => e.type === 'learn:batch'))

    // the critic's deliberate faults: a malformed reply was retried, an injected op was dropped
    assert.ok(report.epochs.reduce((n, e) => n + e.retries, 0) >= 1)
    assert.ok(report.warnings.some(w => /prompt injection/.test(w)))
    assert.ok(!store.list().some(v => /ignore previous/i.test(v.text)))
    assert.ok(stats.summaries > 0 && stats.critiques > 0)

    // held-out evaluation, same runtime and seeds, with vs without
    const ev = await evaluateLearning({ runtime, grader, tasks, source: experienceSource(library, embedder), seeds: [1, 2, 3] })
    assert.equal(ev.tasks, 16, 'only the test split is evaluated')
    assert.equal(ev.seeds.length, 3)
    assert.ok(ev.delta.mean >= 0.4, `delta ${ev.delta.mean}`)
    assert.ok(ev.seeds.every(s => s.delta > 0))
    assert.equal(ev.verdict, 'gain')
    assert.ok(ev.ci95[0] > 0)
    assert.ok(ev.experiencesUsed.some(e => e.cid === lesson.cid && e.uses === 48))
    await grader.close()
  })

  it('ablation: with stage-2 operations ignored there is nothing learned and no gain', async () => {
    const { store, library, embedder } = await storeFixture()
    const { runtime, stats } = lessonWorld()
    const grader = await loadGrader('exact')
    const report = await learn({ store, runtime, grader, tasks, group: 5, epochs: 2, batchSize: 4, seed: 0, dryRun: true })
    assert.equal(report.experiences.length, 0)
    assert.equal(store.list().length, 0)
    assert.equal(stats.solverCallsWithLesson, 0)
    assert.ok(stats.critiques > 0, 'stage 2 ran; only its operations were dropped')
    const ev = await evaluateLearning({ runtime, grader, tasks, source: experienceSource(library, embedder), seeds: [1, 2, 3] })
    assert.equal(ev.delta.mean, 0)
    assert.equal(ev.verdict, 'no significant change')
  })

  it('resumes from the checkpoint after an interruption and is idempotent once complete', async () => {
    const { store } = await storeFixture()
    const grader = await loadGrader('exact')
    const controller = new AbortController()
    const first = lessonWorld()
    await assert.rejects(learn({
      store, runtime: first.runtime, grader, tasks, group: 5, epochs: 2, batchSize: 4, seed: 0, signal: controller.signal,
      onProgress: e => { if (e.type === 'learn:batch' && e.epoch === 1 && e.batch === 1) controller.abort(new Error('interrupted')) }
    }), { message: 'interrupted' })
    assert.equal(first.stats.solverCalls, 20, 'batch 1: 4 tasks × 5 rollouts')
    const second = lessonWorld()
    const report = await learn({ store, runtime: second.runtime, grader, tasks, group: 5, epochs: 2, batchSize: 4, seed: 0 })
    assert.equal(report.resumed, true)
    assert.equal(second.stats.solverCalls, 120 - 20, 'completed batches are not redone')
    assert.equal(report.epochs[0]!.rollouts, 60, 'epoch statistics carry over the interruption')
    assert.ok(report.experiences.some(e => e.text === FORMAT_LESSON))
    const third = lessonWorld()
    const again = await learn({ store, runtime: third.runtime, grader, tasks, group: 5, epochs: 2, batchSize: 4, seed: 0 })
    assert.equal(third.stats.solverCalls, 0)
    assert.deepEqual(again.epochs, report.epochs)
    const restarted = lessonWorld()
    await learn({ store, runtime: restarted.runtime, grader, tasks: tasks.slice(0, 4), group: 2, epochs: 1, batchSize: 4, seed: 0, restart: true })
    assert.equal(restarted.stats.solverCalls, 8)
  })

  it('a grader that hangs or throws costs warnings, not the run', async () => {
    const { store } = await storeFixture()
    const { runtime } = lessonWorld({ faults: false })
    const grader = await loadGrader(fixture('graders/flaky.ts'), { timeoutMs: 300 })
    const flaky = parseTasks([
      '{"id":"a","question":"What is 12 + 30?","answer":"42"}',
      '{"id":"b-hang","question":"What is 10 + 5?","answer":"15"}',
      '{"id":"c-throw","question":"What is 20 - 5?","answer":"15"}'
    ].join('\n'))
    try {
      const report = await learn({ store, runtime, grader, tasks: flaky, group: 3, epochs: 1, batchSize: 3, seed: 0 })
      assert.equal(report.epochs[0]!.rollouts, 3, 'only task a was graded')
      assert.equal(report.warnings.filter(w => /timed out/.test(w)).length, 3)
      assert.equal(report.warnings.filter(w => /threw: cannot grade c-throw/.test(w)).length, 3)
    } finally {
      await grader.close()
    }
  })

  it('rejects bad options and tasks the grader cannot grade, naming the line', async () => {
    const { store } = await storeFixture()
    const { runtime } = lessonWorld()
    const exact = await loadGrader('exact')
    await assert.rejects(learn({ store, runtime, grader: exact, tasks, group: 1 }), { name: 'InvalidLearnOptionsError', message: /group/ })
    await assert.rejects(learn({ store, runtime, grader: exact, tasks, epochs: 0 }), { name: 'InvalidLearnOptionsError' })
    const kw = parseTasks('{"question":"Which oil?","keywords":["neem"]}\n')
    await assert.rejects(learn({ store, runtime, grader: exact, tasks: kw }), { name: 'InvalidLearnOptionsError', message: /line 1\): exact grader needs/ })
    await assert.rejects(learn({ store, runtime, grader: exact, tasks: tasks.filter(t => t.split === 'test') }), { name: 'InvalidLearnOptionsError', message: /no training tasks/ })
  })
})
