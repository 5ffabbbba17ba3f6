/**
 * Small GGUF files made at test time for the llama runtime's bad-input tests: LoRA adapters that
 * are wrong in one way each (another architecture, wrong shapes, not a LoRA), and a copy of the
 * tiny base model carrying a chat template.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { gguf, serializeGgufMetadata } from '@huggingface/gguf'
import type { GGUFTypedMetadata } from '@huggingface/gguf'

export const FIXTURES = new URL('../fixtures/', import.meta.url)
export const BASE_MODEL = new URL('llama-2-tiny-random.gguf', FIXTURES).pathname
export const LORA_A = new URL('tiny-lora/llama-2-tiny-random.lora-a.f32.gguf', FIXTURES).pathname
export const LORA_B = new URL('tiny-lora/llama-2-tiny-random.lora-b.f16.gguf', FIXTURES).pathname

const GGUF_STRING = 8
const GGUF_F32 = 6
const GGML_F32 = 0
const ALIGN = 32

export interface LoraSpec {
  architecture?: string
  generalType?: string
  adapterType?: string
  /** Base tensor name → [n_in, n_out] as ggml ne; default: every blk.0 matrix of the tiny model. */
  targets?: Record<string, [number, number]>
  rank?: number
  /** Makes lora_a's first dim disagree with the base (shape mismatch). */
  wrongInputDim?: boolean
}

const TINY_TARGETS: Record<string, [number, number]> = {
  'blk.0.attn_q.weight': [8, 8],
  'blk.0.attn_k.weight': [8, 8],
  'blk.0.attn_v.weight': [8, 8],
  'blk.0.attn_output.weight': [8, 8],
  'blk.0.ffn_gate.weight': [8, 32],
  'blk.0.ffn_up.weight': [8, 32],
  'blk.0.ffn_down.weight': [32, 8]
}

/** Writes a GGUF v3 LoRA file (f32 tensors, small deterministic values). */
export async function writeLora (path: string, spec: LoraSpec = {}): Promise<void> {
  const rank = spec.rank ?? 4
  const metadata = {
    version: { value: 3, type: 4 },
    tensor_count: { value: 0n, type: 10 },
    kv_count: { value: 0n, type: 10 },
    'general.architecture': { value: spec.architecture ?? 'llama', type: GGUF_STRING },
    'general.type': { value: spec.generalType ?? 'adapter', type: GGUF_STRING },
    'adapter.type': { value: spec.adapterType ?? 'lora', type: GGUF_STRING },
    'adapter.lora.alpha': { value: 4, type: GGUF_F32 }
  } as unknown as GGUFTypedMetadata
  const tensors: Array<{ name: string, ne: number[] }> = []
  for (const [name, [nIn, nOut]] of Object.entries(spec.targets ?? TINY_TARGETS)) {
    tensors.push({ name: `${name}.lora_a`, ne: [spec.wrongInputDim === true ? nIn + 8 : nIn, rank] })
    tensors.push({ name: `${name}.lora_b`, ne: [rank, nOut] })
  }
  ;(metadata as unknown as Record<string, { value: bigint }>).tensor_count = { value: BigInt(tensors.length), type: 10 } as never
  ;(metadata as unknown as Record<string, { value: bigint }>).kv_count = { value: 4n, type: 10 } as never
  const header = serializeGgufMetadata(metadata, { alignment: 1 })
  const infos: Buffer[] = []
  const datas: Buffer[] = []
  let offset = 0
  for (const t of tensors) {
    const name = Buffer.from(t.name)
    const info = Buffer.alloc(8 + name.length + 4 + 8 * t.ne.length + 4 + 8)
    let o = info.writeBigUInt64LE(BigInt(name.length), 0)
    o += name.copy(info, o)
    o = info.writeUInt32LE(t.ne.length, o)
    for (const d of t.ne) o = info.writeBigUInt64LE(BigInt(d), o)
    o = info.writeUInt32LE(GGML_F32, o)
    info.writeBigUInt64LE(BigInt(offset), o)
    infos.push(info)
    const n = t.ne.reduce((a, b) => a * b, 1)
    const data = Buffer.alloc(Math.ceil(n * 4 / ALIGN) * ALIGN)
    for (let i = 0; i < n; i++) data.writeFloatLE(Math.sin(i + offset) * 0.5, i * 4)
    datas.push(data)
    offset += data.length
  }
  const head = Buffer.concat([header, ...infos])
  const pad = Buffer.alloc((ALIGN - (head.length % ALIGN)) % ALIGN)
  await writeFile(path, Buffer.concat([head, pad, ...datas]))
}

/**
 * Copies the tiny base model with `tokenizer.chat_template` added: the new key is spliced in
 * after the existing ones and the tensor data is re-aligned, every other byte copied as is.
 */
export async function writeModelWithChatTemplate (path: string, template: string): Promise<void> {
  const parsed = await gguf(BASE_MODEL, { allowLocalFile: true })
  const bytes = await readFile(BASE_MODEL)
  const [infoStart, infoEnd] = parsed.tensorInfoByteRange
  const key = Buffer.from('tokenizer.chat_template')
  const value = Buffer.from(template)
  const kv = Buffer.alloc(8 + key.length + 4 + 8 + value.length)
  let o = kv.writeBigUInt64LE(BigInt(key.length), 0)
  o += key.copy(kv, o)
  o = kv.writeUInt32LE(GGUF_STRING, o)
  o = kv.writeBigUInt64LE(BigInt(value.length), o)
  value.copy(kv, o)
  const head = Buffer.concat([bytes.subarray(0, infoStart), kv, bytes.subarray(infoStart, infoEnd)])
  head.writeBigUInt64LE(head.readBigUInt64LE(16) + 1n, 16) // kv_count (after magic, version, tensor_count)
  const pad = Buffer.alloc((ALIGN - (head.length % ALIGN)) % ALIGN)
  await writeFile(path, Buffer.concat([head, pad, bytes.subarray(Number(parsed.tensorDataOffset))]))
}

export const CHATML_TEMPLATE = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
