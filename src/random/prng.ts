/** Seeded pseudo-random numbers (xoshiro128**) so DARE, sketches, nulls, training order and simulations are reproducible. */

export interface Prng {
  /** Uniform in [0, 1). */
  next: () => number
  /** Standard normal. */
  gaussian: () => number
}

function splitmix32 (seed: number): () => number {
  let s = seed | 0
  return () => {
    s = (s + 0x9e3779b9) | 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) | 0
  }
}

export function createPrng (seed: number): Prng {
  const init = splitmix32(seed)
  const s = new Int32Array([init(), init(), init(), init()])
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1
  const next = (): number => {
    const s0 = s[0] as number; const s1 = s[1] as number; let s2 = s[2] as number; let s3 = s[3] as number
    const x = Math.imul(s1, 5)
    const result = Math.imul((x << 7) | (x >>> 25), 9)
    const t = s1 << 9
    s2 ^= s0
    s3 ^= s1
    s[1] = s1 ^ s2
    s[0] = s0 ^ s3
    s[2] = s2 ^ t
    s[3] = (s3 << 11) | (s3 >>> 21)
    return (result >>> 0) / 4294967296
  }
  let spare = 0
  let hasSpare = false
  const gaussian = (): number => {
    if (hasSpare) { hasSpare = false; return spare }
    let u = 0
    while (u === 0) u = next()
    const v = next()
    const r = Math.sqrt(-2 * Math.log(u))
    spare = r * Math.sin(2 * Math.PI * v)
    hasSpare = true
    return r * Math.cos(2 * Math.PI * v)
  }
  return { next, gaussian }
}

/** A copy of `items` in an order drawn from `rng` (Fisher–Yates). */
export function shuffled<T> (items: readonly T[], rng: Prng): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
