import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sseData } from '../../src/runtime/sse.ts'

function body (chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder()
  return new ReadableStream({
    start (c) {
      for (const s of chunks) c.enqueue(enc.encode(s))
      c.close()
    }
  })
}

async function collect (chunks: string[]): Promise<string[]> {
  const out: string[] = []
  for await (const d of sseData(body(chunks))) out.push(d)
  return out
}

describe('sseData', () => {
  it('splits events on blank lines, across arbitrary chunk boundaries and line endings', async () => {
    const text = 'data: {"a":1}\n\n: comment\nevent: x\ndata: {"b":2}\r\n\r\ndata:[DONE]\r\r'
    const expected = ['{"a":1}', '{"b":2}', '[DONE]']
    assert.deepEqual(await collect([text]), expected)
    for (let cut = 1; cut < text.length; cut++) {
      assert.deepEqual(await collect([text.slice(0, cut), text.slice(cut)]), expected, `cut at ${cut}`)
    }
  })

  it('joins multi-line data and keeps a final event without a blank line', async () => {
    assert.deepEqual(await collect(['data: line one\ndata: line two\n\ndata: tail']), ['line one\nline two', 'tail'])
  })

  it('decodes UTF-8 split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: café ☕\n\n')
    const stream = new ReadableStream<Uint8Array>({
      start (c) {
        for (const b of bytes) c.enqueue(new Uint8Array([b]))
        c.close()
      }
    })
    const out: string[] = []
    for await (const d of sseData(stream)) out.push(d)
    assert.deepEqual(out, ['café ☕'])
  })
})
