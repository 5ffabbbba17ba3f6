/**
 * Content-addressed blob store: each chunk is a file named by its raw CID, written to a temp
 * file, fsynced and renamed, so a crash leaves either the whole chunk or nothing. A transfer
 * writes its chunks without the fsyncs (`durable: false`) and makes them durable in one `flush`
 * before the library records the artifact; `verify` re-checks such chunks after a crash.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { fsyncPathAsync, parseCid, rawCid, rawCidAsync, writeFileAtomic } from '../artifacts/index.ts'
import { blobJob, movable, startBlobWorker } from './blob-io.ts'
import { BlobNotFoundError, ChunkMismatchError, InvalidQueryError, asStorageError } from './errors.ts'
import type { BlobStore } from './types.ts'

const log = logger('baobab:library:blobs')

export class FileBlobStore implements BlobStore {
  readonly dir: string
  private readonly tmpDir: string
  /** Subdirectories known to exist (saves a mkdir per chunk). */
  private readonly made = new Set<string>()

  constructor (dir: string) {
    this.dir = dir
    this.tmpDir = join(dir, 'tmp')
    mkdirSync(this.tmpDir, { recursive: true })
    // temp files left by a crash are never referenced: remove them
    for (const name of readdirSync(this.tmpDir)) rmSync(join(this.tmpDir, name), { force: true })
  }

  path (cid: string): string {
    checkCid(cid)
    return join(this.dir, cid.slice(-2), cid)
  }

  has (cid: string): boolean {
    return existsSync(this.path(cid))
  }

  put (bytes: Uint8Array): string {
    const cid = rawCid(bytes).toString()
    this.write(cid, bytes)
    return cid
  }

  putVerified (cid: string, bytes: Uint8Array): void {
    const actual = rawCid(bytes).toString()
    if (actual !== cid) throw new ChunkMismatchError(cid, actual)
    this.write(cid, bytes)
  }

  warm (): void {
    startBlobWorker()
  }

  async putVerifiedAsync (cid: string, bytes: Uint8Array, options: { durable?: boolean, transfer?: boolean } = {}): Promise<Uint8Array | undefined> {
    const path = this.path(cid)
    const expected = parseCid(cid)
    if (expected.version !== 1 || expected.code !== raw.code || expected.multihash.code !== sha256.code) {
      throw new ChunkMismatchError(cid, (await rawCidAsync(bytes)).toString())
    }
    // hashed, then written, on the worker thread: the event loop keeps reading the next chunk
    const tmp = join(this.tmpDir, `.${randomBytes(6).toString('hex')}.tmp`)
    let reply
    const moved = options.transfer === true ? movable(bytes) : []
    try {
      reply = await blobJob({ op: 'put', path, tmp, bytes, digest: expected.multihash.digest, sync: options.durable !== false, giveBack: moved.length > 0 }, moved)
    } catch (err) {
      throw asStorageError(err, `blob ${cid}`)
    }
    if (reply.mismatch != null) throw new ChunkMismatchError(cid, CID.createV1(raw.code, createDigest(sha256.code, reply.mismatch)).toString())
    log.trace('stored blob %s', cid)
    return reply.bytes
  }

  async flush (cids: string[]): Promise<void> {
    const paths = [...new Set(cids)].map(c => this.path(c))
    try {
      await Promise.all(paths.map(async p => fsyncPathAsync(p)))
      await Promise.all([...new Set(paths.map(p => dirname(p)))].map(async d => fsyncPathAsync(d, true)))
    } catch (err) {
      throw asStorageError(err, `flushing ${paths.length} blobs`)
    }
  }

  async verify (cid: string): Promise<boolean> {
    const bytes = await this.read(cid)
    if (bytes == null) return false
    if ((await rawCidAsync(bytes)).toString() === cid) return true
    log('blob %s does not match its CID (a write lost in a crash): removed', cid)
    this.remove(cid)
    return false
  }

  get (cid: string): Uint8Array {
    try {
      return new Uint8Array(readFileSync(this.path(cid)))
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') throw new BlobNotFoundError(cid)
      throw err
    }
  }

  async read (cid: string, into?: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      if (into == null) return await readFile(this.path(cid))
      const fh = await open(this.path(cid), 'r')
      try {
        const { size } = await fh.stat()
        const buf = size <= into.length ? into.subarray(0, size) : new Uint8Array(size)
        let got = 0
        for (let n = -1; got < size && n !== 0; got += n) n = (await fh.read(buf, got, size - got, got)).bytesRead
        return buf.subarray(0, got)
      } finally {
        await fh.close()
      }
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined
      throw err
    }
  }

  size (cid: string): number {
    try {
      return statSync(this.path(cid)).size
    } catch {
      throw new BlobNotFoundError(cid)
    }
  }

  remove (cid: string): void {
    rmSync(this.path(cid), { force: true })
  }

  /** Where `cid` goes, its directory made; null when it is already stored. */
  private target (cid: string): string | null {
    const path = this.path(cid)
    if (existsSync(path)) return null
    const sub = cid.slice(-2)
    if (!this.made.has(sub)) {
      mkdirSync(join(this.dir, sub), { recursive: true })
      this.made.add(sub)
    }
    return path
  }

  private write (cid: string, bytes: Uint8Array): void {
    const path = this.target(cid)
    if (path == null) return
    try {
      writeFileAtomic(path, bytes, { tmpDir: this.tmpDir })
    } catch (err) {
      throw asStorageError(err, `blob ${cid}`)
    }
    log.trace('stored blob %s (%d bytes)', cid, bytes.length)
  }
}

function checkCid (cid: string): void {
  if (!/^[a-z0-9]+$/i.test(cid)) throw new InvalidQueryError(`"${cid}" is not a CID`)
  parseCid(cid)
}
