/**
 * The process-wide llama.cpp bindings, one per GPU setting: node-llama-cpp's prebuilt binaries
 * only (never built or downloaded at run time). `auto` takes the best prebuilt binary that
 * loads here (Metal, CUDA, Vulkan) and falls back to the CPU one.
 */
import { logger } from '@libp2p/logger'
import type { Llama } from 'node-llama-cpp'
import { LlamaBinaryUnavailableError } from './errors.ts'
import type { LlamaGpu } from '../config.ts'

const log = logger('baobab:runtime:llama')

export const LLAMA_GPU_SETTINGS: readonly LlamaGpu[] = ['auto', false, 'metal', 'cuda', 'vulkan']

const bindings = new Map<LlamaGpu, Promise<Llama>>()

/** The binding for `gpu` (default `auto`); a named error when no prebuilt binary loads. */
export async function llamaBinding (gpu: LlamaGpu = 'auto'): Promise<Llama> {
  let binding = bindings.get(gpu)
  if (binding == null) {
    binding = import('node-llama-cpp').then(async ({ getLlama, LlamaLogLevel }) => getLlama({
      gpu,
      build: 'never',
      // the named error below says what is missing; node-llama-cpp's own console lines would repeat it
      progressLogs: false,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => { log('llama.cpp %s: %s', level, message.trimEnd()) }
    })).catch((err: unknown) => {
      throw new LlamaBinaryUnavailableError(gpu, `${process.platform}-${process.arch}`, { cause: err })
    })
    bindings.set(gpu, binding)
    binding.catch(() => { bindings.delete(gpu) })
  }
  return binding
}

/** The CPU binding. */
export async function cpuLlama (): Promise<Llama> {
  return llamaBinding(false)
}

export interface LlamaBindingReport {
  /** The GPU the binding uses (false: the CPU). */
  gpu: string | false
  /** node-llama-cpp's prebuilt binary package, or a local build. */
  binary: string
  llamaCpp: string
  devices: string[]
  vramBytes: number
}

/** What `llamaBinding(gpu)` loads here: the binary, the GPU and its devices. */
export async function describeLlamaBinding (gpu: LlamaGpu = 'auto'): Promise<LlamaBindingReport> {
  const llama = await llamaBinding(gpu)
  const platform = process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'win' : process.platform
  // one package per GPU flavour; on Apple Silicon the one package is the Metal one
  const suffix = platform === 'mac' && process.arch === 'arm64' ? '-metal' : llama.gpu === false ? '' : `-${llama.gpu}`
  const devices = llama.gpu === false ? [] : await llama.getGpuDeviceNames()
  const vram = llama.gpu === false ? 0 : (await llama.getVramState()).total
  return {
    gpu: llama.gpu,
    binary: llama.buildType === 'prebuilt' ? `@node-llama-cpp/${platform}-${process.arch}${suffix}` : 'local build',
    llamaCpp: llama.llamaCppRelease.release,
    devices,
    vramBytes: vram
  }
}
