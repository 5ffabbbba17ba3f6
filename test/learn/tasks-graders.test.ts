import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { loadGrader, readTasks } from '../../src/learn/index.ts'
import { lastNumber } from '../../src/learn/graders.ts'
import { parseTasks, splitTasks } from '../../src/learn/tasks.ts'
import type { Task } from '../../src/learn/index.ts'

const fixture = (p: string): string => fileURLToPath(new URL(`../fixtures/learn/${p}`, import.meta.url))
const task = (t: Partial<Task>): Task => ({ id: 't', question: 'q', line: 1, ...t })

describe('task files', () => {
  it('reads the arithmetic fixture with its splits', () => {
    const tasks = readTasks(fixture('arithmetic.jsonl'))
    const { train, test } = splitTasks(tasks)
    assert.equal(train.length, 12)
    assert.equal(test.length, 16)
    assert.equal(tasks[0]!.domain, 'arithmetic')
  })

  it('reports every bad line with its number and uses nothing from the file', () => {
    assert.throws(() => readTasks(fixture('bad-tasks.jsonl')), (err: Error & { lines: Array<{ line: number, reason: string }> }) => {
      assert.equal(err.name, 'TaskFormatError')
      assert.deepEqual(err.lines.map(l => l.line), [2, 4, 6, 7, 8, 9])
      assert.match(err.lines[0]!.reason, /not valid JSON/)
      assert.match(err.lines[1]!.reason, /needs one of/)
      assert.match(err.lines[2]!.reason, /duplicate id "ok-1" \(first on line 1\)/)
      assert.match(err.lines[3]!.reason, /not a JSON object/)
      assert.match(err.lines[4]!.reason, /split/)
      assert.match(err.lines[5]!.reason, /regular expression/)
      assert.match(err.message, /line 2: /)
      return true
    })
    assert.throws(() => readTasks(fixture('missing.jsonl')), { name: 'TaskFormatError', message: /cannot read/ })
    assert.throws(() => parseTasks('\n# only a comment\n'), { name: 'TaskFormatError', message: /no tasks/ })
    assert.throws(() => parseTasks('{"question":"q","answer":"a","colour":"red"}'), { name: 'TaskFormatError', message: /unknown field\(s\) colour/ })
  })
})

describe('built-in graders', () => {
  it('exact, regex, numeric and keyword recall', async () => {
    const exact = await loadGrader('exact')
    assert.equal(await exact.grade(' 42. ', task({ answer: '42' })), 1)
    assert.equal(await exact.grade('The answer is 42.', task({ answer: '42' })), 0)
    assert.equal(await exact.grade('"Nairobi"', task({ answers: ['nairobi', 'NBO'] })), 1)
    const regex = await loadGrader('regex')
    assert.equal(await regex.grade('Apply 12% neem oil', task({ pattern: '\\b12\\s*%' })), 1)
    assert.equal(await regex.grade('Apply neem oil', task({ pattern: '\\b12\\s*%' })), 0)
    const numeric = await loadGrader('numeric')
    assert.equal(await numeric.grade('So the total is 1,234.5 kg', task({ answer: 1234.5 })), 1)
    assert.equal(await numeric.grade('about 3.16', task({ answer: 3.14159, tolerance: 0.01 })), 0)
    assert.equal(await numeric.grade('about 3.14', task({ answer: 3.14159, tolerance: 0.01 })), 1)
    assert.equal(lastNumber('none'), null)
    const kw = await loadGrader('keywords')
    assert.equal(await kw.grade('Use 12% NEEM OIL at 4 am', task({ keywords: ['12%', '4 AM', 'neem oil', 'exoskeleton'] })), 0.75)
    await assert.rejects(numeric.grade('1', task({ keywords: ['x'] })), { name: 'GraderFailedError', message: /numeric "answer"/ })
    assert.match(kw.check(task({ answer: '1' }))!, /keywords/)
  })
})

describe('grader modules', () => {
  it('loads a module exporting grade()', async () => {
    const g = await loadGrader(fixture('graders/contains.ts'))
    try {
      assert.equal(await g.grade('it is 42', task({ answer: '42' })), 1)
      assert.equal(await g.grade('it is 41', task({ answer: '42' })), 0)
    } finally {
      await g.close()
    }
  })

  it('a grader that hangs times out, one that throws or returns NaN fails; the next call still works', async () => {
    const g = await loadGrader(fixture('graders/misbehaves.ts'), { timeoutMs: 400 })
    try {
      await assert.rejects(g.grade('hang', task({})), (err: Error & { timedOut: boolean }) => err.name === 'GraderFailedError' && err.timedOut && /within 400 ms/.test(err.message))
      await assert.rejects(g.grade('throw', task({})), (err: Error & { timedOut: boolean }) => err.name === 'GraderFailedError' && !err.timedOut && /grader exploded/.test(err.message))
      await assert.rejects(g.grade('nan', task({})), { name: 'GraderFailedError', message: /not a finite number/ })
      assert.equal(await g.grade('fine', task({})), 0.5)
    } finally {
      await g.close()
    }
  })

  it('rejects names that are neither built in nor grader modules', async () => {
    await assert.rejects(loadGrader('fuzzy'), { name: 'InvalidGraderError', message: /not a built-in grader/ })
    await assert.rejects(loadGrader(fixture('graders/absent.ts')), { name: 'InvalidGraderError', message: /does not exist/ })
    await assert.rejects(loadGrader(fixture('graders/no-function.ts')), { name: 'InvalidGraderError', message: /exports neither/ })
  })
})
