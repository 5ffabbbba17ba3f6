/**
 * LlmRuntime compliance suite (STYLE §3). Every implementation runs it:
 *
 *   runtimeCompliance({ name: 'llama', setup: async () => ({ runtime: llamaRuntime({...}) }) })
 *
 * It checks identity fields, generate, the stream part order, maxTokens, abort (before and
 * during a stream), reader cancellation, concurrent calls, bad input and close.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { GenerateOptions, LlmRuntime, StreamPart } from '../../src/runtime/index.ts'

export interface RuntimeComplianceSetup {
  runtime: LlmRuntime
  /** Merged into every call (e.g. knowledge for the retrieval runtime, so it has text to give). */
  options?: Partial<GenerateOptions>
  /** Same options + seed + temperature 0 give the same text (default true). */
  deterministic?: boolean
  /** Extra cleanup after `runtime.close()`. */
  teardown?: () => Promise<void>
}

export interface RuntimeComplianceFactory {
  name: string
  setup: () => Promise<RuntimeComplianceSetup>
}

const QUESTION = 'How deep should maize seed be planted in dry sandy soil?'

export async function readAll (stream: ReadableStream<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = []
  for await (const p of stream) parts.push(p)
  return parts
}

export function assertPartOrder (parts: StreamPart[]): void {
  assert.ok(parts.length >= 3, `at least text-start, text-end, finish (got ${parts.length})`)
  assert.equal(parts[0]?.type, 'text-start')
  assert.equal(parts.at(-2)?.type, 'text-end')
  assert.equal(parts.at(-1)?.type, 'finish')
  for (const p of parts.slice(1, -2)) assert.equal(p.type, 'text-delta', 'only text-delta between text-start and text-end')
}

export function runtimeCompliance (factory: RuntimeComplianceFactory): void {
  const withRuntime = (fn: (s: RuntimeComplianceSetup, call: (o?: Partial<GenerateOptions>) => GenerateOptions) => Promise<void>) => async () => {
    const s = await factory.setup()
    const call = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({
      messages: [{ role: 'user', content: QUESTION }],
      maxTokens: 12,
      temperature: 0,
      seed: 7,
      ...s.options,
      ...o
    })
    try {
      await fn(s, call)
    } finally {
      await s.runtime.close()
      await s.teardown?.()
    }
  }

  describe(`LlmRuntime compliance: ${factory.name}`, () => {
    it('declares specificationVersion v1, provider and modelId', withRuntime(async ({ runtime }) => {
      assert.equal(runtime.specificationVersion, 'v1')
      assert.equal(typeof runtime.provider, 'string')
      assert.ok(runtime.provider.length > 0)
      assert.equal(typeof runtime.modelId, 'string')
      assert.ok(runtime.modelId.length > 0)
    }))

    it('doGenerate returns text, a finish reason and usage', withRuntime(async ({ runtime }, call) => {
      const r = await runtime.doGenerate(call())
      assert.equal(typeof r.text, 'string')
      assert.ok(r.text.length > 0, 'some text')
      assert.ok(['stop', 'length'].includes(r.finishReason), r.finishReason)
      assert.ok(Number.isInteger(r.usage.inputTokens) && r.usage.inputTokens > 0, 'input tokens counted')
      assert.ok(Number.isInteger(r.usage.outputTokens) && r.usage.outputTokens > 0, 'output tokens counted')
      assert.ok(Array.isArray(r.warnings))
    }))

    it('doStream emits text-start, text-delta*, text-end, finish, matching doGenerate', withRuntime(async (s, call) => {
      const parts = await readAll(await s.runtime.doStream(call()))
      assertPartOrder(parts)
      const text = parts.map(p => p.type === 'text-delta' ? p.delta : '').join('')
      const finish = parts.at(-1)
      assert.ok(finish?.type === 'finish')
      assert.ok(['stop', 'length'].includes(finish.finishReason))
      assert.ok(finish.usage.outputTokens > 0)
      assert.ok(text.length > 0)
      if (s.deterministic !== false) {
        const again = await s.runtime.doGenerate(call())
        assert.equal(text, again.text, 'stream and generate agree for the same seed')
        assert.equal(finish.usage.outputTokens, again.usage.outputTokens)
      }
    }))

    it('respects maxTokens in generate and stream', withRuntime(async ({ runtime }, call) => {
      const long = await runtime.doGenerate(call({ maxTokens: 8 }))
      const r = await runtime.doGenerate(call({ maxTokens: 2 }))
      assert.ok(r.usage.outputTokens <= 2, `outputTokens ${r.usage.outputTokens} <= 2`)
      if (long.usage.outputTokens > 2) assert.equal(r.finishReason, 'length')
      const parts = await readAll(await runtime.doStream(call({ maxTokens: 1 })))
      const finish = parts.at(-1)
      assert.ok(finish?.type === 'finish')
      assert.ok(finish.usage.outputTokens <= 1)
      assert.ok(parts.filter(p => p.type === 'text-delta').length <= 1)
    }))

    it('rejects with signal.reason when the signal is already aborted', withRuntime(async ({ runtime }, call) => {
      const reason = new Error('stop before start')
      const signal = AbortSignal.abort(reason)
      await assert.rejects(runtime.doGenerate(call({ signal })), (err) => err === reason)
      await assert.rejects(runtime.doStream(call({ signal })), (err) => err === reason)
    }))

    it('an abort during a stream ends it with finish "abort"', withRuntime(async ({ runtime }, call) => {
      const controller = new AbortController()
      const stream = await runtime.doStream(call({ signal: controller.signal, maxTokens: 16 }))
      const reader = stream.getReader()
      const first = await reader.read()
      assert.equal(first.value?.type, 'text-start')
      controller.abort(new Error('user went away'))
      const rest: StreamPart[] = []
      while (true) {
        const { done, value } = await reader.read()
        if (done) break
        rest.push(value)
      }
      const last = rest.at(-1)
      assert.ok(last?.type === 'finish', 'stream still ends with finish')
      assert.equal(last.finishReason, 'abort')
      assert.ok(!rest.some(p => p.type === 'text-delta'), 'no text after the abort')
      assert.ok(!rest.some(p => p.type === 'error'), 'abort is not an error')
    }))

    it('cancelling the reader releases the runtime for the next call', withRuntime(async ({ runtime }, call) => {
      const stream = await runtime.doStream(call({ maxTokens: 16 }))
      const reader = stream.getReader()
      await reader.read()
      await reader.read()
      await reader.cancel()
      const r = await runtime.doGenerate(call({ maxTokens: 3 }))
      assert.ok(r.text.length > 0)
    }))

    it('serves concurrent calls', withRuntime(async ({ runtime }, call) => {
      const [a, b] = await Promise.all([runtime.doGenerate(call()), runtime.doGenerate(call())])
      assert.ok(a.text.length > 0 && b.text.length > 0)
    }))

    it('rejects bad input with InvalidPromptError', withRuntime(async ({ runtime }, call) => {
      const bad: Array<Partial<GenerateOptions>> = [
        { messages: [] },
        { messages: [{ role: 'user', content: '   ' }] },
        { messages: [{ role: 'robot' as 'user', content: 'hi' }] },
        { messages: [{ role: 'user', content: 'x'.repeat(1_000_001) }] },
        { maxTokens: 0 },
        { temperature: -1 }
      ]
      for (const o of bad) {
        await assert.rejects(runtime.doGenerate(call(o)), { name: 'InvalidPromptError' })
        await assert.rejects(runtime.doStream(call(o)), { name: 'InvalidPromptError' })
      }
    }))

    it('close is idempotent and later calls reject with RuntimeClosedError', withRuntime(async ({ runtime }, call) => {
      await runtime.close()
      await runtime.close()
      await assert.rejects(runtime.doGenerate(call()), { name: 'RuntimeClosedError' })
      await assert.rejects(runtime.doStream(call()), { name: 'RuntimeClosedError' })
    }))
  })
}
