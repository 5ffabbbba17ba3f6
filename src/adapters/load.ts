/**
 * One entry point for every adapter file kind: a PEFT directory (or its safetensors file), a
 * GGUF LoRA file, or a BitDelta container. Returns the normalised in-memory adapter.
 */
import { open, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { AdapterNotFoundError } from './errors.ts'
import { readGgufLora } from './gguf-lora.ts'
import { readPeftDir, PEFT_WEIGHTS_FILE } from './peft.ts'
import { readBitDelta, BITDELTA_MAGIC } from './bitdelta-format.ts'
import type { LoraAdapter } from './types.ts'

async function magic (path: string): Promise<string> {
  const fh = await open(path, 'r')
  try {
    const buf = new Uint8Array(4)
    const { bytesRead } = await fh.read(buf, 0, 4, 0)
    return new TextDecoder('latin1').decode(buf.subarray(0, bytesRead))
  } finally {
    await fh.close()
  }
}

/** Load a GGUF LoRA file, a PEFT directory, or a BitDelta file, whichever `path` is. */
export async function loadAdapterFile (path: string): Promise<LoraAdapter> {
  let s
  try {
    s = await stat(path)
  } catch (err) {
    throw new AdapterNotFoundError(path, 'no such file or directory', { cause: err })
  }
  if (s.isDirectory()) return readPeftDir(path)
  const m = await magic(path)
  if (m === 'GGUF') return readGgufLora(path)
  if (m === BITDELTA_MAGIC) return readBitDelta(path)
  if (basename(path) === PEFT_WEIGHTS_FILE) return readPeftDir(dirname(path))
  throw new AdapterNotFoundError(path, 'not an adapter: expected a PEFT directory, a GGUF LoRA file or a BitDelta file')
}
