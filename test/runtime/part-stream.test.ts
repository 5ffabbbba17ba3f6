import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { logger } from '@libp2p/logger'
import { collectStream, partStream } from '../../src/runtime/part-stream.ts'
import { readAll } from '../compliance/runtime.ts'

const log = logger('baobab:test:part-stream')

describe('partStream', () => {
  it('produces nothing ahead of the reader and stops the producer on cancel', async () => {
    let produced = 0
    let finallyRan = false
    let done = 0
    const stream = partStream(async function * (usage) {
      try {
        for (let i = 0; i < 100; i++) {
          produced++
          usage.outputTokens++
          yield `w${i} `
        }
        return 'stop'
      } finally {
        finallyRan = true
      }
    }, { log, onDone: () => { done++ } })
    const reader = stream.getReader()
    assert.equal((await reader.read()).value?.type, 'text-start')
    assert.equal(produced, 0, 'text-start needs no generation')
    await reader.read()
    await reader.read()
    assert.equal(produced, 2)
    await reader.cancel()
    assert.equal(finallyRan, true)
    assert.equal(done, 1)
  })

  it('a failing producer gives text-end, error, finish(error); collectStream rethrows it', async () => {
    const boom = new Error('boom')
    const make = () => partStream(async function * () {
      yield 'partial '
      throw boom
    }, { log })
    const parts = await readAll(make())
    assert.deepEqual(parts.map(p => p.type), ['text-start', 'text-delta', 'text-end', 'error', 'finish'])
    assert.equal((parts[3] as { error: unknown }).error, boom)
    await assert.rejects(collectStream(make()), (err) => err === boom)
  })

  it('skips empty deltas, carries warnings and retrieved, calls onDone once', async () => {
    let done = 0
    const warnings: string[] = []
    const parts = await readAll(partStream(async function * (usage) {
      yield ''
      usage.outputTokens = 2
      yield 'a'
      warnings.push('late warning')
      return 'length'
    }, { log, warnings, retrieved: true, inputTokens: 4, onDone: () => { done++ } }))
    assert.deepEqual(parts, [
      { type: 'text-start' },
      { type: 'text-delta', delta: 'a' },
      { type: 'text-end' },
      { type: 'finish', finishReason: 'length', usage: { inputTokens: 4, outputTokens: 2 }, warnings: ['late warning'], retrieved: true }
    ])
    assert.equal(done, 1)
  })
})
