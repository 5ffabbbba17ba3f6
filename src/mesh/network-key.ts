/** Private-network keys (`@libp2p/pnet`): create a key file, read and validate one. */
import { readFileSync } from 'node:fs'
import { generateKey } from '@libp2p/pnet'
import { writeFileAtomic } from '../artifacts/index.ts'
import { InvalidNetworkKeyError } from './errors.ts'

const KEY_PATTERN = /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n?$/

/** A fresh pre-shared key as the text libp2p expects (95 bytes). */
export function createNetworkKey (): string {
  const bytes = new Uint8Array(95)
  generateKey(bytes)
  return new TextDecoder().decode(bytes)
}

/** Writes a new key file (mode 0600) and returns its text. */
export function writeNetworkKey (path: string): string {
  const key = createNetworkKey()
  writeFileAtomic(path, key + '\n', { mode: 0o600 })
  return key
}

export function validateNetworkKey (text: string, path = '(config)'): string {
  if (!KEY_PATTERN.test(text)) throw new InvalidNetworkKeyError(path, 'expected "/key/swarm/psk/1.0.0/", "/base16/" and 64 hex digits on three lines')
  return text.endsWith('\n') ? text.slice(0, -1) : text
}

export function readNetworkKey (path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new InvalidNetworkKeyError(path, (err as Error).message, { cause: err })
  }
  return validateNetworkKey(text, path)
}
