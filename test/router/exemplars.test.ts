import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { parseExemplars, readExemplarsFile, MAX_EXEMPLARS } from '../../src/router/index.ts'
import type { InvalidExemplarsError } from '../../src/router/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'baobab-exemplars-'))
after(() => { rmSync(dir, { recursive: true, force: true }) })

describe('exemplar files', () => {
  it('reads instruction/output (with input), q/a and question/answer lines', () => {
    const text = [
      JSON.stringify({ instruction: 'How deep do I plant maize?', input: '', output: '5 cm in moist soil.' }),
      JSON.stringify({ instruction: 'Translate', input: 'mahindi', output: 'maize' }),
      '',
      JSON.stringify({ q: 'When do I weed?', a: 'Two and five weeks after emergence.' }),
      JSON.stringify({ question: 'Is a card allowed without answers?' })
    ].join('\r\n')
    const { exemplars, lines } = parseExemplars(text)
    assert.equal(lines, 4)
    assert.deepEqual(exemplars, [
      { q: 'How deep do I plant maize?', a: '5 cm in moist soil.' },
      { q: 'Translate\nmahindi', a: 'maize' },
      { q: 'When do I weed?', a: 'Two and five weeks after emergence.' },
      { q: 'Is a card allowed without answers?' }
    ])
  })

  it('reports every bad line with its number and returns nothing', () => {
    const text = [
      '{"q": "good one", "a": "fine"}',
      '{not json',
      '[1, 2]',
      '{"a": "no question"}',
      '{"q": "good one", "a": "again"}',
      `{"q": "${'x'.repeat(1001)}"}`,
      '{"q": "ok", "a": 7}'
    ].join('\n')
    assert.throws(() => parseExemplars(text, { file: 'bad.jsonl' }), (err: InvalidExemplarsError) => {
      assert.equal(err.name, 'InvalidExemplarsError')
      assert.equal(err.file, 'bad.jsonl')
      assert.deepEqual(err.problems.map(p => p.line), [2, 3, 4, 5, 6, 7])
      assert.match(err.message, /line 2: not valid JSON/)
      assert.match(err.message, /line 5: same question as line 1/)
      return true
    })
  })

  it('rejects empty files, too many exemplars and too many bytes', () => {
    assert.throws(() => parseExemplars('\n\n'), /no exemplars/)
    const many = Array.from({ length: MAX_EXEMPLARS + 1 }, (_, i) => JSON.stringify({ q: `question ${i}` })).join('\n')
    assert.throws(() => parseExemplars(many), /65 exemplars; an expert holds at most 64/)
    const big = Array.from({ length: 40 }, (_, i) => JSON.stringify({ q: `q${i}`, a: 'y'.repeat(1990) })).join('\n')
    assert.throws(() => parseExemplars(big), /at most 57344 fit/)
  })

  it('reads files and names unreadable ones', async () => {
    const file = join(dir, 'ok.jsonl')
    writeFileSync(file, '{"q":"a question","a":"an answer"}\n')
    assert.equal((await readExemplarsFile(file)).exemplars.length, 1)
    await assert.rejects(readExemplarsFile(join(dir, 'missing.jsonl')), { name: 'InvalidExemplarsError' })
  })
})
