/** The node identity: an Ed25519 libp2p key kept in `$BAOBAB_HOME/key` (mode 0600). */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { InvalidKeyFileError } from './errors.ts'
import { writeFileAtomic } from './atomic-file.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export interface Identity {
  privateKey: PrivateKey
  peerId: PeerId
  keyPath: string
  /** True when the key was created by this call. */
  created: boolean
}

export const KEY_FILE = 'key'

/** Reads the node key from `home`, or creates one (0600) when none exists. */
export async function loadOrCreateIdentity (home: string): Promise<Identity> {
  const keyPath = join(home, KEY_FILE)
  if (existsSync(keyPath)) return { ...readIdentity(keyPath), keyPath, created: false }
  mkdirSync(home, { recursive: true, mode: 0o700 })
  const privateKey = await generateKeyPair('Ed25519')
  writeFileAtomic(keyPath, privateKeyToProtobuf(privateKey), { mode: 0o600 })
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), keyPath, created: true }
}

function readIdentity (keyPath: string): { privateKey: PrivateKey, peerId: PeerId } {
  const mode = statSync(keyPath).mode & 0o777
  if ((mode & 0o077) !== 0) chmodSync(keyPath, 0o600)
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(readFileSync(keyPath))
  } catch (err) {
    throw new InvalidKeyFileError(keyPath, 'not a libp2p private key (protobuf)', { cause: err })
  }
  if (privateKey.type !== 'Ed25519') throw new InvalidKeyFileError(keyPath, `key type ${privateKey.type}, expected Ed25519`)
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey) }
}
