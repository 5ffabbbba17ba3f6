/**
 * `baobab doctor`'s runtime lines. llama.cpp: which prebuilt binary loads for `runtime.gpu`, and
 * the GPU it uses, or what is missing and why (only a llama runtime fails on these; others get
 * a warning, since `demo --model` and `eval` still use llama.cpp). An OpenAI-compatible server
 * (Ollama, llama-server, vLLM): whether it answers and lists the configured model.
 */
import { describeLlamaBinding } from '../../runtime/index.ts'
import type { Check } from './doctor.ts'
import type { LlamaGpu, NodeConfig } from '../../config.ts'

const PLATFORMS_DOC = 'docs/platforms.md'
const SERVER_TIMEOUT_MS = 3000

/** GPU kinds whose drivers are installed here (node-llama-cpp's detection). */
async function gpusWithDrivers (): Promise<string[]> {
  try {
    const { getLlamaGpuTypes } = await import('node-llama-cpp')
    return (await getLlamaGpuTypes('supported')).filter((g): g is Exclude<typeof g, false> => g !== false)
  } catch {
    return []
  }
}

export async function checkLlama (config: NodeConfig): Promise<Check[]> {
  const gpu: LlamaGpu = config.runtime.gpu ?? 'auto'
  const needed = config.runtime.kind === 'llama'
  const setting = `runtime.gpu ${JSON.stringify(gpu)}`
  let report
  try {
    report = await describeLlamaBinding(gpu)
  } catch (err) {
    return [{
      name: 'llama binary',
      status: needed ? 'fail' : 'warn',
      detail: `${(err as Error).message}${needed ? '' : ' (only the llama runtime, demo --model and eval need it)'}`,
      fix: gpu !== 'auto' && gpu !== false ? `set "runtime": {"gpu": "auto"} to fall back to the CPU, or see ${PLATFORMS_DOC}` : `npm ci on this machine; see ${PLATFORMS_DOC}`
    }]
  }
  const out: Check[] = [{ name: 'llama binary', status: 'ok', detail: `${report.binary} (llama.cpp ${report.llamaCpp}, ${process.platform}-${process.arch})` }]
  if (report.gpu !== false) {
    const vram = report.vramBytes > 0 ? `, ${(report.vramBytes / 2 ** 30).toFixed(1)} GiB VRAM` : ''
    out.push({ name: 'gpu', status: 'ok', detail: `${report.gpu}: ${report.devices.join(', ') || 'device'}${vram} (${setting})` })
    return out
  }
  const drivers = await gpusWithDrivers()
  if (gpu === false) out.push({ name: 'gpu', status: 'ok', detail: `off: inference runs on the CPU (${setting})${drivers.length > 0 ? `; ${drivers.join(', ')} found here` : ''}` })
  else if (drivers.length > 0) {
    out.push({ name: 'gpu', status: 'warn', detail: `${drivers.join(', ')} found, but no prebuilt binary for it loads: inference runs on the CPU (${setting})`, fix: `install the GPU binaries as ${PLATFORMS_DOC} shows` })
  } else out.push({ name: 'gpu', status: 'ok', detail: `none found (no Metal, CUDA or Vulkan driver): inference runs on the CPU (${setting})` })
  return out
}

/** `GET <baseUrl>/models` of the `openai` runtime's server: reachable, and the model listed. */
export async function checkRuntimeServer (config: NodeConfig): Promise<Check[]> {
  const rt = config.runtime
  if (rt.kind !== 'openai' || rt.baseUrl == null || rt.baseUrl === '') return []
  const url = new URL('models', rt.baseUrl.endsWith('/') ? rt.baseUrl : `${rt.baseUrl}/`)
  const fix = 'start the server (ollama serve, llama-server, vllm serve) or fix runtime.baseUrl; it ends in /v1'
  let ids: string[]
  try {
    const res = await fetch(url, { headers: rt.apiKey != null ? { authorization: `Bearer ${rt.apiKey}` } : {}, signal: AbortSignal.timeout(SERVER_TIMEOUT_MS) })
    if (!res.ok) return [{ name: 'runtime server', status: 'fail', detail: `${url.href} answered HTTP ${res.status}`, fix: res.status === 401 ? 'set runtime.apiKey to the server\'s key' : fix }]
    const body = await res.json() as { data?: Array<{ id?: unknown }> }
    ids = (body.data ?? []).map(m => String(m.id))
  } catch (err) {
    return [{ name: 'runtime server', status: 'fail', detail: `${url.href} not reachable: ${(err as Error).message}`, fix }]
  }
  if (rt.model != null && !ids.includes(rt.model)) {
    return [{ name: 'runtime server', status: 'warn', detail: `${url.href} does not list "${rt.model}" (it lists ${ids.slice(0, 5).map(i => `"${i}"`).join(', ') || 'nothing'})`, fix: 'pull or load the model on the server (ollama pull …), or fix runtime.model' }]
  }
  return [{ name: 'runtime server', status: 'ok', detail: `${url.href} lists "${rt.model ?? ''}" (${ids.length} model${ids.length === 1 ? '' : 's'})` }]
}
