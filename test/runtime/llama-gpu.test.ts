/**
 * `runtime.gpu`: the llama runtime takes node-llama-cpp's prebuilt binaries only; `auto` loads
 * the best one here (the CPU one on a machine without a GPU) and a GPU whose binary is not
 * installed is a named error; `doctor` says which binary loaded and the GPU state.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { getLlamaGpuTypes } from 'node-llama-cpp'
import { checkLlama } from '../../src/cli/commands/doctor-runtime.ts'
import { loadConfig } from '../../src/cli/config-file.ts'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { createRuntime } from '../../src/runtime/index.ts'
import { llamaBinding } from '../../src/runtime/llama-binding.ts'
import { BASE_MODEL } from './gguf-fixtures.ts'

const home = mkdtempSync(join(tmpdir(), 'baobab-gpu-'))
after(() => { rmSync(home, { recursive: true, force: true }) })
const gpus = (await getLlamaGpuTypes('supported')).filter(g => g !== false)

describe('llama runtime: runtime.gpu', () => {
  it('auto loads a prebuilt binary: the CPU one where no GPU driver is found, and answers', async () => {
    const llama = await llamaBinding('auto')
    assert.equal(llama.buildType, 'prebuilt')
    if (gpus.length === 0) assert.equal(llama.gpu, false)
    else assert.ok(llama.gpu === false || gpus.includes(llama.gpu))
    const runtime = createRuntime({ kind: 'llama', model: BASE_MODEL, gpu: 'auto', contextSize: 256, threads: 1 })
    try {
      const r = await runtime.doGenerate({ messages: [{ role: 'user', content: 'What should I plant after the rains?' }], maxTokens: 4, temperature: 0 })
      assert.ok(r.usage.outputTokens > 0)
    } finally {
      await runtime.close()
    }
  })

  it('a GPU whose binary is not installed is LlamaBinaryUnavailableError with the way out', async (t) => {
    if (gpus.includes('vulkan')) { t.skip('a Vulkan driver is present here'); return }
    const runtime = createRuntime({ kind: 'llama', model: BASE_MODEL, gpu: 'vulkan', contextSize: 256 })
    try {
      await assert.rejects(runtime.doGenerate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 }), (err: Error) => {
        assert.equal(err.name, 'LlamaBinaryUnavailableError')
        assert.match(err.message, /vulkan/)
        assert.match(err.message, /docs\/platforms\.md/)
        return true
      })
    } finally {
      await runtime.close()
    }
  })

  it('config.json takes auto, false, metal, cuda or vulkan and refuses anything else', () => {
    for (const gpu of ['auto', false, 'metal', 'cuda', 'vulkan']) {
      writeFileSync(join(home, 'config.json'), JSON.stringify({ runtime: { kind: 'llama', model: BASE_MODEL, gpu } }))
      assert.equal(loadConfig(home).runtime.gpu, gpu)
    }
    writeFileSync(join(home, 'config.json'), JSON.stringify({ runtime: { kind: 'llama', model: BASE_MODEL, gpu: 'opencl' } }))
    assert.throws(() => loadConfig(home), { name: 'ConfigError', message: /runtime\.gpu/ })
  })

  it('doctor reports the binary that loads and the GPU state', async () => {
    const checks = await checkLlama({ ...structuredClone(DEFAULT_CONFIG), runtime: { kind: 'llama', model: BASE_MODEL } })
    const binary = checks.find(c => c.name === 'llama binary')!
    assert.equal(binary.status, 'ok')
    assert.match(binary.detail, new RegExp(`@node-llama-cpp/${process.platform === 'linux' ? 'linux' : ''}`))
    const gpu = checks.find(c => c.name === 'gpu')!
    assert.notEqual(gpu.status, 'fail')
    if (gpus.length === 0) assert.match(gpu.detail, /^none found .*runs on the CPU \(runtime\.gpu "auto"\)/)

    const missing = await checkLlama({ ...structuredClone(DEFAULT_CONFIG), runtime: { kind: 'llama', model: BASE_MODEL, gpu: 'vulkan' } })
    if (!gpus.includes('vulkan')) {
      assert.equal(missing[0]!.status, 'fail')
      assert.match(missing[0]!.fix ?? '', /"gpu": "auto"/)
    }
  })
})
