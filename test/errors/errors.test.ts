/**
 * Every exported error class carries a category, is named after itself, and has a name no other
 * class has; the CLI and the HTTP API answer from the category alone.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BaobabError, ERROR_CATEGORIES } from '../../src/errors/index.ts'
import { exitCodeFor } from '../../src/cli/errors.ts'
import { httpErrorFor } from '../../src/api/error-map.ts'
import { PromptTooLongError, RuntimeConnectionError } from '../../src/runtime/index.ts'
import { PeerRateLimitedError } from '../../src/trust/index.ts'
import { RateLimitedError } from '../../src/api/index.ts'
import { ExpertNotFoundError, InvalidQuestionError } from '../../src/router/index.ts'
import { ExpertNotFoundError as AnswerExpertNotFound, InvalidQuestionError as AnswerInvalidQuestion } from '../../src/node/answer.ts'

const src = join(import.meta.dirname, '..', '..', 'src')

/** errors.ts files, folder barrels, and any other file that declares an exported error class. */
function errorModules (): string[] {
  const found: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'static') walk(path)
      } else if (entry.name.endsWith('.ts')) {
        const barrel = entry.name === 'index.ts' && relative(src, path).split('/').length === 2
        if (entry.name === 'errors.ts' || barrel || /export class \w+ extends \w*Error\b/.test(readFileSync(path, 'utf8'))) found.push(path)
      }
    }
  }
  walk(src)
  return found.sort()
}

type ErrorClass = (new (...args: unknown[]) => Error) & { category?: unknown, retryable?: unknown }

/** An argument that is any string, number, list or object a constructor asks of it. */
function anything (): unknown {
  const target = function () {}
  const proxy: unknown = new Proxy(target, {
    get: (_t, key) => key === Symbol.toPrimitive ? () => 1 : key === Symbol.iterator ? function * () {} : proxy,
    apply: () => proxy
  })
  return proxy
}

async function exportedErrorClasses (): Promise<Map<ErrorClass, string[]>> {
  const classes = new Map<ErrorClass, string[]>()
  for (const path of errorModules()) {
    const mod = await import(pathToFileURL(path).href) as Record<string, unknown>
    for (const [key, value] of Object.entries(mod)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue
      const where = classes.get(value as ErrorClass) ?? []
      classes.set(value as ErrorClass, [...where, `${relative(src, path)}:${key}`])
    }
  }
  return classes
}

describe('error classes', () => {
  it('each one is a BaobabError with a category, named after its class, and no two share a name', async () => {
    const classes = await exportedErrorClasses()
    assert.ok(classes.size > 100, `found ${classes.size} error classes`)
    const byName = new Map<string, string[]>()
    for (const [cls, where] of classes) {
      assert.ok(cls === BaobabError || cls.prototype instanceof BaobabError, `${where[0]} does not extend BaobabError`)
      assert.ok(ERROR_CATEGORIES.includes(cls.category as never), `${where[0]} has category ${String(cls.category)}`)
      const err = new cls(anything(), anything(), anything(), anything(), anything()) as BaobabError
      assert.equal(err.name, cls.name, `${where[0]}: name`)
      assert.equal(err.category, cls.category)
      assert.equal(typeof err.retryable, 'boolean')
      assert.ok(err instanceof Error)
      byName.set(cls.name, [...(byName.get(cls.name) ?? []), ...where])
      const defined = [...classes.keys()].filter(c => c.name === cls.name)
      assert.equal(defined.length, 1, `${cls.name} is defined ${defined.length} times: ${JSON.stringify(byName.get(cls.name))}`)
    }
  })

  it('keeps the cause', () => {
    const cause = new Error('disk')
    const err = new BaobabError('outer', { cause })
    assert.equal(err.cause, cause)
    assert.equal(err.name, 'BaobabError')
    assert.equal(err.category, 'internal')
    assert.equal(err.retryable, false)
  })

  it('the router owns ExpertNotFoundError and InvalidQuestionError; answering uses the same classes', () => {
    assert.equal(AnswerExpertNotFound, ExpertNotFoundError)
    assert.equal(AnswerInvalidQuestion, InvalidQuestionError)
  })
})

describe('category → exit code and HTTP answer', () => {
  it('maps each category the same way for every class', async () => {
    const classes = await exportedErrorClasses()
    for (const cls of classes.keys()) {
      const err = new cls(anything(), anything(), anything(), anything(), anything()) as BaobabError
      const exit = exitCodeFor(err)
      const status = httpErrorFor(err).status
      if (err.category === 'not-found') assert.deepEqual([exit, status], [3, 404], cls.name)
      if (err.category === 'bad-input') assert.equal(exit, 2, cls.name)
      if (err.category === 'internal') assert.deepEqual([exit, status], [1, 500], cls.name)
    }
  })

  it('a peer over its limit is not an HTTP client over its limit', () => {
    const peer = new PeerRateLimitedError('12D3KooWpeer', 'announce', 1500)
    assert.notEqual(httpErrorFor(peer).status, 429)
    assert.equal(peer.retryable, true)
    const client = httpErrorFor(new RateLimitedError(3))
    assert.deepEqual([client.status, client.code, client.headers['retry-after']], [429, 'rate_limit_exceeded', '3'])
  })

  it('one PromptTooLongError: tokens from the runtime, characters from a caller, both context_length_exceeded', () => {
    const tokens = new PromptTooLongError(600, 512)
    const chars = new PromptTooLongError(40_000, 32_000, 'characters')
    assert.equal(tokens.message, 'prompt has 600 tokens but the context holds 512')
    assert.equal(chars.message, 'the prompt has 40000 characters; this node accepts at most 32000')
    for (const e of [tokens, chars]) {
      const h = httpErrorFor(e)
      assert.deepEqual([h.status, h.code, exitCodeFor(e)], [400, 'context_length_exceeded', 2])
    }
  })

  it('upstream and internal failures hide their message; an error from another copy answers by its category', () => {
    const upstream = httpErrorFor(new RuntimeConnectionError('http://127.0.0.1:9', 3, { cause: new Error('ECONNREFUSED') }))
    assert.deepEqual([upstream.status, upstream.type, upstream.code, upstream.message], [502, 'upstream_error', 'runtime_connection', 'the model backend failed; see the node log'])
    const foreign = Object.assign(new Error('no peer ghost'), { name: 'PeerNotFoundError', category: 'not-found' })
    assert.deepEqual([httpErrorFor(foreign).status, httpErrorFor(foreign).code, exitCodeFor(foreign)], [404, 'peer_not_found', 3])
    const unknownCategory = Object.assign(new Error('x'), { category: 'mystery' })
    assert.equal(httpErrorFor(unknownCategory).status, 500)
  })

  it('library errors by an explicit table', () => {
    const named = (name: string): Error => Object.assign(new Error('x'), { name })
    assert.equal(exitCodeFor(named('CommanderError')), 2)
    assert.equal(exitCodeFor(named('AbortError')), 1)
    assert.equal(httpErrorFor(named('AbortError')).status, 499)
    assert.equal(httpErrorFor(AbortSignal.abort().reason).status, 499)
    assert.deepEqual([httpErrorFor(named('TimeoutError')).status, httpErrorFor(named('TimeoutError')).code], [408, 'request_timeout'])
    assert.equal(httpErrorFor(new SyntaxError('Unexpected token')).status, 500)
    assert.equal(httpErrorFor(new SyntaxError('Unexpected token')).message, 'internal error; see the node log')
    assert.equal(exitCodeFor(new TypeError('x')), 1)
    assert.equal(exitCodeFor('a string'), 1)
    assert.equal(httpErrorFor(undefined).status, 500)
  })
})
