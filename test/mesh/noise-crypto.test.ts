import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { defaultCrypto } from '@libp2p/noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseCrypto } from '../../src/mesh/noise-crypto.ts'

const flat = (x: Uint8Array | Uint8ArrayList): Uint8Array => new Uint8Array(x instanceof Uint8Array ? x : x.subarray())

describe('noise crypto with cached key objects', () => {
  it('encrypts byte for byte like noise\'s default and decrypts both, for small and bulk messages', () => {
    const k = randomBytes(32)
    const ad = randomBytes(32)
    for (const size of [10, 1199, 1200, 65_519]) {
      for (let n = 0; n < 3; n++) {
        const nonce = new Uint8Array(12)
        nonce[4] = n
        const plain = randomBytes(size)
        const ours = flat(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k))
        assert.deepEqual(ours, flat(defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k)))
        assert.deepEqual(flat(noiseCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k)), new Uint8Array(plain))
        // a list of pieces, as noise hands a muxer frame over
        const list = new Uint8ArrayList(plain.subarray(0, 5), plain.subarray(5))
        assert.deepEqual(flat(noiseCrypto.chaCha20Poly1305Encrypt(list, nonce, ad, k)), ours)
      }
    }
  })

  it('two keys are never mixed up, and a tampered message is refused', () => {
    const k1 = randomBytes(32)
    const k2 = randomBytes(32)
    const nonce = new Uint8Array(12)
    const ad = new Uint8Array(0)
    const plain = randomBytes(4096)
    const c1 = flat(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k1))
    const c2 = flat(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k2))
    assert.notDeepEqual(c1, c2)
    assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(c1, nonce, ad, k2))
    const bad = new Uint8Array(c1)
    bad[100] = (bad[100] as number) ^ 1
    assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(bad, nonce, ad, k1))
  })
})
