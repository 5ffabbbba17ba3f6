/** Seeded PRNG (the project's xoshiro128**) and the few distributions the simulators need. */
import { createPrng } from '../src/random/index.ts'
import type { Prng } from '../src/random/index.ts'

export class Rng {
  private readonly prng: Prng
  constructor (seed: number) {
    this.prng = createPrng(seed)
  }

  next (): number {
    return this.prng.next()
  }

  int (n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Log-normal with the given median and shape sigma. */
  logNormal (median: number, sigma: number): number {
    const u = Math.max(this.next(), 1e-12)
    const v = this.next()
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    return median * Math.exp(sigma * z)
  }
}

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[i]!
}
