/** Crash-safe file writes: temp file in the same directory, fsync, rename, fsync the directory. */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'

export interface AtomicWriteOptions {
  mode?: number
  /** Directory for the temp file (same filesystem as `path`); defaults to `path`'s directory. */
  tmpDir?: string
  /**
   * false: skip both fsyncs (the rename is still atomic, so a killed process leaves the whole
   * file or none); the caller makes the file durable later with `fsyncPathAsync`.
   */
  sync?: boolean
}

export function writeFileAtomic (path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const mode = options.mode ?? 0o644
  const tmp = join(options.tmpDir ?? dirname(path), `.${randomBytes(6).toString('hex')}.tmp`)
  const bytes = typeof data === 'string' ? Buffer.from(data) : data
  try {
    const fd = openSync(tmp, 'wx', mode)
    try {
      let off = 0
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
  fsyncDir(dirname(path))
}

export function fsyncDir (dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try { fsyncSync(fd) } finally { closeSync(fd) }
  } catch {
    // some filesystems refuse directory fsync; the rename is still atomic
  }
}

/** fsyncs a file, or a directory (`isDir`: a filesystem that refuses that is tolerated). */
export async function fsyncPathAsync (path: string, isDir = false): Promise<void> {
  try {
    const fh = await open(path, 'r')
    try { await fh.sync() } finally { await fh.close() }
  } catch (err) {
    // some filesystems refuse directory fsync; the rename is still atomic
    if (!isDir) throw err
  }
}
