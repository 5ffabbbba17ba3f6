/**
 * The blob store's worker thread: hashes a chunk handed over by the event loop and writes it
 * (temp file, rename) only when it matches the expected SHA-256 digest.
 * Node built-ins only, so the thread starts fast.
 */
import { createHash } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { parentPort } from 'node:worker_threads'

export interface BlobJob {
  id: number
  op: 'put'
  path: string
  tmp: string
  bytes: Uint8Array
  digest: Uint8Array
  sync: boolean
  /** The bytes' buffer was moved here: move it back with the reply, for reuse. */
  giveBack?: boolean
}

export interface BlobReply {
  id: number
  /** The digest the bytes really have, when it is not the expected one (nothing written). */
  mismatch?: Uint8Array
  error?: { message: string, code?: string }
  /** The job's buffer, moved back (`giveBack`). */
  bytes?: Uint8Array
}

const made = new Set<string>()

function fsyncDir (dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try { fsyncSync(fd) } finally { closeSync(fd) }
  } catch {
    // some filesystems refuse directory fsync; the rename is still atomic
  }
}

function put (job: BlobJob): BlobReply {
  const actual = createHash('sha256').update(job.bytes).digest()
  if (!actual.equals(job.digest)) return { id: job.id, mismatch: new Uint8Array(actual) }
  if (existsSync(job.path)) return { id: job.id }
  const dir = dirname(job.path)
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true })
    made.add(dir)
  }
  try {
    const fd = openSync(job.tmp, 'wx', 0o644)
    try {
      let off = 0
      while (off < job.bytes.length) off += writeSync(fd, job.bytes, off, job.bytes.length - off)
      if (job.sync) fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(job.tmp, job.path)
  } catch (err) {
    rmSync(job.tmp, { force: true })
    throw err
  }
  if (job.sync) fsyncDir(dir)
  return { id: job.id }
}

parentPort?.on('message', (job: BlobJob) => {
  let reply: BlobReply
  try {
    reply = put(job)
  } catch (err) {
    const e = err as { message?: string, code?: string }
    reply = { id: job.id, error: { message: e.message ?? String(err), code: e.code } }
  }
  if (job.giveBack === true && job.bytes.buffer instanceof ArrayBuffer) {
    parentPort?.postMessage({ ...reply, bytes: job.bytes }, [job.bytes.buffer])
  } else {
    parentPort?.postMessage(reply)
  }
})
