/**
 * One worker thread, shared by every blob store of the process, that hashes and writes
 * transferred chunks, so a transfer's hashing and file system calls stay off the event loop
 * (which carries the network and its encryption). Started on first use or by `startBlobWorker`;
 * it holds the process open only while jobs are pending.
 */
import { Worker } from 'node:worker_threads'
import type { BlobJob, BlobReply } from './blob-worker.ts'

interface Waiting {
  resolve: (r: BlobReply) => void
  reject: (err: Error) => void
}

let worker: Worker | undefined
const waiting = new Map<number, Waiting>()
let nextId = 1

function failAll (w: Worker, err: Error): void {
  if (worker === w) worker = undefined
  for (const p of waiting.values()) p.reject(err)
  waiting.clear()
}

function start (): Worker {
  const w = new Worker(new URL('./blob-worker.ts', import.meta.url))
  w.on('message', (r: BlobReply) => {
    const p = waiting.get(r.id)
    if (p == null) return
    waiting.delete(r.id)
    if (waiting.size === 0) w.unref()
    if (r.error != null) p.reject(Object.assign(new Error(r.error.message), { code: r.error.code }))
    else p.resolve(r)
  })
  w.on('error', (err: Error) => { failAll(w, err) })
  w.on('exit', code => { failAll(w, new Error(`blob worker exited (${code})`)) })
  w.unref()
  return w
}

/** Starts the worker now (it takes a moment to boot), so the first chunk does not wait for it. */
export function startBlobWorker (): void {
  worker ??= start()
}

/** Runs one job on the worker; `transfer` lists buffers that move to it instead of being copied. */
export async function blobJob (job: Omit<BlobJob, 'id'>, transfer: ArrayBuffer[] = []): Promise<BlobReply> {
  const w = worker ??= start()
  const id = nextId++
  const { promise, resolve, reject } = Promise.withResolvers<BlobReply>()
  waiting.set(id, { resolve, reject })
  w.ref()
  w.postMessage({ ...job, id }, transfer)
  return promise
}

/** Whether `bytes` can move to the worker: it is the whole of an ordinary ArrayBuffer. */
export function movable (bytes: Uint8Array): ArrayBuffer[] {
  const b = bytes.buffer
  return b instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === b.byteLength ? [b] : []
}
