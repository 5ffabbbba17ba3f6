/**
 * Sneakernet: CAR files (`@ipld/car`) holding artifacts (DAG-CBOR blocks) and adapter weight
 * chunks (raw blocks). Import verifies every block exactly as a network transfer does, and in
 * two passes: nothing is stored unless every block of the file is intact.
 */
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { basename, dirname, join } from 'node:path'
import { CarBlockIterator } from '@ipld/car/iterator'
import { CarWriter } from '@ipld/car/writer'
import * as dagCbor from '@ipld/dag-cbor'
import * as raw from 'multiformats/codecs/raw'
import { CHUNK_SIZE, decodeArtifact, rawCid } from '../artifacts/index.ts'
import { InvalidCarError, MissingChunksError } from './errors.ts'
import type { Admission, AdmitResult } from '../library/index.ts'
import type { Kind, SignedArtifact } from '../artifacts/index.ts'
import { ArtifactNotFoundError } from '../library/index.ts'
import type { Library } from '../library/index.ts'
import type { CID } from 'multiformats/cid'

export interface CarProgress {
  type: 'car:block'
  index: number
  bytes: number
}

export interface ExportOptions {
  kind?: Kind
  domain?: string
  /** Specific CIDs instead of a query. */
  cids?: string[]
  signal?: AbortSignal
  onProgress?: (e: CarProgress) => void
}

export interface ExportResult {
  path: string
  artifacts: number
  chunks: number
  bytes: number
}

function adapterChunks (a: SignedArtifact): string[] {
  return a.envelope.kind === 'adapter' ? (a.envelope.body as { chunks: CID[] }).chunks.map(String) : []
}

/** Writes trusted, shareable artifacts (and their chunks) to a CAR file, atomically. */
export async function exportCar (library: Library, path: string, options: ExportOptions = {}): Promise<ExportResult> {
  const selected = options.cids != null
    ? options.cids.map(c => {
      const a = library.get(c)
      if (a == null) throw new ArtifactNotFoundError(c)
      return a
    })
    : library.list({ kind: options.kind, domain: options.domain, status: 'trusted', shareable: true })
  for (const a of selected) {
    const missing = adapterChunks(a).filter(c => !library.blobs.has(c))
    if (missing.length > 0) throw new MissingChunksError(a.cid.toString(), missing)
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  const { writer, out } = CarWriter.create(selected.map(a => a.cid))
  const file = createWriteStream(tmp)
  const pump = (async () => {
    for await (const piece of out) {
      if (!file.write(piece)) await once(file, 'drain')
    }
    file.end()
    await once(file, 'finish')
  })()
  const result: ExportResult = { path, artifacts: 0, chunks: 0, bytes: 0 }
  const seen = new Set<string>()
  let index = 0
  try {
    for (const a of selected) {
      options.signal?.throwIfAborted()
      await writer.put({ cid: a.cid, bytes: a.bytes })
      result.artifacts++
      result.bytes += a.bytes.length
      options.onProgress?.({ type: 'car:block', index: index++, bytes: a.bytes.length })
      for (const c of adapterChunks(a)) {
        if (seen.has(c)) continue
        seen.add(c)
        const bytes = library.blobs.get(c)
        await writer.put({ cid: rawCid(bytes), bytes })
        result.chunks++
        result.bytes += bytes.length
        options.onProgress?.({ type: 'car:block', index: index++, bytes: bytes.length })
      }
    }
    await writer.close()
    await pump
    renameSync(tmp, path)
  } catch (err) {
    file.destroy()
    rmSync(tmp, { force: true })
    throw err
  }
  return result
}

export interface ImportOptions {
  signal?: AbortSignal
  onProgress?: (e: CarProgress) => void
}

export interface ImportResult {
  admitted: AdmitResult[]
  chunks: number
  /** Chunks the blob store already had. */
  chunksPresent: number
}

async function * blocks (path: string): AsyncGenerator<{ cid: CID, bytes: Uint8Array, index: number }> {
  let index = 0
  let last: string | undefined
  let iterator: CarBlockIterator
  try {
    iterator = await CarBlockIterator.fromIterable(createReadStream(path))
  } catch (err) {
    throw new InvalidCarError(path, 0, undefined, `cannot be read: ${(err as Error).message} (not a CAR file?)`, { cause: err })
  }
  try {
    for await (const b of iterator) {
      last = b.cid.toString()
      yield { cid: b.cid, bytes: b.bytes, index: index++ }
    }
  } catch (err) {
    if ((err as Error).name === 'InvalidCarError') throw err
    throw new InvalidCarError(path, index, undefined, `cannot be read${last != null ? ` (after ${last})` : ''}: ${(err as Error).message}`, { cause: err })
  }
}

/** Verifies every block of `path`, then stores the chunks and admits the artifacts. */
export async function importCar (path: string, library: Library, admission: Admission, options: ImportOptions = {}): Promise<ImportResult> {
  const artifacts: SignedArtifact[] = []
  const chunkSet = new Set<string>()
  // pass 1: verify everything, store nothing
  for await (const { cid, bytes, index } of blocks(path)) {
    options.signal?.throwIfAborted()
    const key = cid.toString()
    if (cid.code === raw.code) {
      if (bytes.length > CHUNK_SIZE) throw new InvalidCarError(path, index, key, `is ${bytes.length} bytes, over the ${CHUNK_SIZE}-byte chunk size`)
      const actual = rawCid(bytes).toString()
      if (actual !== key) throw new InvalidCarError(path, index, key, `fails verification: its bytes hash to ${actual}`)
      chunkSet.add(key)
    } else if (cid.code === dagCbor.code) {
      try {
        artifacts.push(await decodeArtifact(bytes, { expectedCid: key }))
      } catch (err) {
        throw new InvalidCarError(path, index, key, `is not a valid artifact: ${(err as Error).name}: ${(err as Error).message}`, { cause: err })
      }
    } else {
      throw new InvalidCarError(path, index, key, `has unsupported codec 0x${cid.code.toString(16)}`)
    }
    options.onProgress?.({ type: 'car:block', index, bytes: bytes.length })
  }
  for (const a of artifacts) {
    const missing = adapterChunks(a).filter(c => !chunkSet.has(c) && !library.blobs.has(c))
    if (missing.length > 0) throw new MissingChunksError(a.cid.toString(), missing)
  }
  // pass 2: store chunks (verified again on the way in), then admit artifacts
  const result: ImportResult = { admitted: [], chunks: 0, chunksPresent: 0 }
  for await (const { cid, bytes, index } of blocks(path)) {
    options.signal?.throwIfAborted()
    const key = cid.toString()
    if (cid.code === raw.code && library.blobs.has(key)) {
      result.chunksPresent++
    } else if (cid.code === raw.code) {
      library.blobs.putVerified(key, bytes)
      result.chunks++
    }
    options.onProgress?.({ type: 'car:block', index, bytes: bytes.length })
  }
  for (const a of artifacts) {
    result.admitted.push(await admission.admitVerified(a, { source: { type: 'car', path }, signal: options.signal }))
  }
  return result
}
