/**
 * `baobab doctor` and the `openai` runtime's server: a real OpenAI-compatible server on
 * 127.0.0.1 (Baobab's own API, with a token) that lists the model, one that does not, a wrong
 * key, and a port nothing listens on.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { createApi, serveApi } from '../../src/api/index.ts'
import { checkRuntimeServer } from '../../src/cli/commands/doctor-runtime.ts'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { demoNode } from './fixtures/demo-services.ts'
import type { ServedApi } from '../../src/api/index.ts'
import type { RuntimeConfig } from '../../src/config.ts'
import type { DemoNode } from './fixtures/demo-services.ts'

const TOKEN = 'test-token-0123456789abcdef'
const check = async (runtime: RuntimeConfig) => checkRuntimeServer({ ...structuredClone(DEFAULT_CONFIG), runtime })

describe('doctor: the openai runtime\'s server', () => {
  let node: DemoNode
  let served: ServedApi
  before(async () => {
    node = await demoNode()
    served = await serveApi(createApi(node.services, { token: TOKEN }), { host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await served.close()
    await node.close()
  })

  it('ok when the server answers and lists the model; a warning when it does not list it', async () => {
    const baseUrl = `${served.url}v1`
    const [ok] = await check({ kind: 'openai', baseUrl, model: 'baobab/auto', apiKey: TOKEN })
    assert.equal(ok!.status, 'ok')
    assert.match(ok!.detail, /\/v1\/models lists "baobab\/auto"/)
    const [missing] = await check({ kind: 'openai', baseUrl: `${baseUrl}/`, model: 'qwen2.5:1.5b', apiKey: TOKEN })
    assert.equal(missing!.status, 'warn')
    assert.match(missing!.detail, /does not list "qwen2\.5:1\.5b" \(it lists "baobab\/auto"/)
  })

  it('fails with the fix for a wrong key and for a server that is not there', async () => {
    const [denied] = await check({ kind: 'openai', baseUrl: `${served.url}v1`, model: 'baobab/auto', apiKey: 'wrong-token-0123456789' })
    assert.equal(denied!.status, 'fail')
    assert.match(denied!.fix ?? '', /runtime\.apiKey/)
    const closed = createServer()
    await new Promise<void>(resolve => { closed.listen(0, '127.0.0.1', () => { resolve() }) })
    const port = (closed.address() as { port: number }).port
    await new Promise(resolve => closed.close(resolve))
    const [down] = await check({ kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'x' })
    assert.equal(down!.status, 'fail')
    assert.match(down!.detail, /not reachable/)
  })

  it('says nothing for the other runtimes', async () => {
    assert.deepEqual(await check({ kind: 'retrieval' }), [])
  })
})
