/**
 * Atomic file output: write a temp file beside the destination, then rename over it, so a
 * failure never leaves a partial file at the destination path.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, basename } from 'node:path'
import { randomBytes } from 'node:crypto'

export async function writeFileAtomic (path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, bytes)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/**
 * Write several files into a directory, each atomically. When a later file fails, files this
 * call created are removed again, so the directory holds either all new files or the old state
 * of the files that were replaced before the failure.
 */
export async function writeFilesAtomic (dir: string, files: Array<{ name: string, bytes: Uint8Array | string }>): Promise<void> {
  await mkdir(dir, { recursive: true })
  const written: string[] = []
  try {
    for (const f of files) {
      const p = join(dir, f.name)
      await writeFileAtomic(p, f.bytes)
      written.push(p)
    }
  } catch (err) {
    for (const p of written) await rm(p, { force: true })
    throw err
  }
}
