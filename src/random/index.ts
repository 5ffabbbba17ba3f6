/**
 * Seeded pseudo-random numbers (xoshiro128**), so adapter merges and SVD sketches, training
 * order, benches and simulations repeat for a given seed. Bottom layer, beside `artifacts` and
 * `limits`: imports nothing of the project.
 *
 * @example
 * ```ts
 * const rng = createPrng(42)
 * const order = shuffled(tasks, rng)
 * const noise = rng.gaussian()
 * ```
 */
export { createPrng, shuffled } from './prng.ts'
export type { Prng } from './prng.ts'
