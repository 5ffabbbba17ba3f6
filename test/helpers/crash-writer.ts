// Child process for the crash-safety test: writes adapters (chunks + rows) and artifact batches
// forever, printing a line after each commit, until the parent kills it with SIGKILL.
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createArtifact, parseCid } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { sampleBodies } from '../helpers/sample-artifacts.ts'

const home = process.argv[2]!
const lib = openLibrary({ home })
const key = await generateKeyPair('Ed25519')
const bodies = sampleBodies()
for (let i = 0; i < 100_000; i++) {
  const blob = randomBytes(300_000 + (i % 7) * 100_000)
  const chunk = lib.blobs.put(blob)
  const adapter = await createArtifact('adapter', { ...bodies.adapter, name: `a${i}`, bytes: blob.length, chunks: [parseCid(chunk)] }, key)
  const batch = []
  for (let j = 0; j < 20; j++) batch.push({ artifact: await createArtifact('reproduction', { ...bodies.reproduction, nEval: i * 100 + j + 1 }, key) })
  lib.putMany([{ artifact: adapter }, ...batch])
  process.stdout.write(`${i}\n`)
}
