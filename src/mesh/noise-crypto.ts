/**
 * Noise's default crypto, with each session key turned into a `KeyObject` once. The default
 * passes the raw key bytes to `createCipheriv` for every message, and Node then builds a new
 * key object from them each time: for a bulk transfer (one message per 64 KiB) that was about a
 * tenth of the event loop's time and a steady stream of garbage. The cipher itself is the same.
 */
import { createSecretKey } from 'node:crypto'
import { defaultCrypto, nodeCrypto } from '@libp2p/noise/crypto'
import type { ICryptoInterface } from '@libp2p/noise'
import type { KeyObject } from 'node:crypto'

/** Below this many bytes noise uses its WebAssembly cipher (faster for small messages). */
const NODE_CIPHER_FROM = 1200

/** Session keys are set once per connection and never changed in place: one key object each. */
const keys = new WeakMap<Uint8Array, KeyObject>()

function keyObject (k: Uint8Array): Uint8Array {
  let o = keys.get(k)
  if (o == null) keys.set(k, o = createSecretKey(k))
  // node:crypto takes a KeyObject wherever it takes key bytes
  return o as unknown as Uint8Array
}

export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt (plaintext, nonce, ad, k) {
    if (plaintext.byteLength < NODE_CIPHER_FROM) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
    return nodeCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, keyObject(k))
  },
  chaCha20Poly1305Decrypt (ciphertext, nonce, ad, k, dst) {
    if (ciphertext.byteLength < NODE_CIPHER_FROM) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
    return nodeCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, keyObject(k), dst)
  }
}
