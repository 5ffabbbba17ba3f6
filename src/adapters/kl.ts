/**
 * KL divergence between next-token distributions, for the functional check of merged adapters
 * (the distributions come from a runtime; this file only does the math).
 */

type Dist = ArrayLike<number> | Map<number, number>

function entries (d: Dist): Array<[number, number]> {
  if (d instanceof Map) return [...d.entries()]
  return Array.from({ length: d.length }, (_, i) => [i, d[i] as number])
}

function lookup (d: Dist, i: number): number {
  return d instanceof Map ? d.get(i) ?? 0 : (d[i] ?? 0)
}

/**
 * KL(p ‖ q) in nats. Inputs are probabilities indexed by token (dense arrays or token →
 * probability maps); p is renormalised over its support, q is floored at `epsilon` so tokens
 * that q gives ~0 keep the result finite.
 */
export function klDivergence (p: Dist, q: Dist, epsilon = 1e-10): number {
  const ps = entries(p)
  let total = 0
  for (const [, v] of ps) total += v
  if (!(total > 0)) throw new RangeError('p has no probability mass')
  let kl = 0
  for (const [i, v] of ps) {
    if (v <= 0) continue
    const pi = v / total
    kl += pi * Math.log(pi / Math.max(lookup(q, i), epsilon))
  }
  return Math.max(0, kl)
}

/** Mean KL over several prompts' distributions. */
export function meanKl (ps: Dist[], qs: Dist[]): number {
  if (ps.length !== qs.length || ps.length === 0) throw new RangeError('meanKl needs two equal, non-empty lists')
  let s = 0
  for (let i = 0; i < ps.length; i++) s += klDivergence(ps[i] as Dist, qs[i] as Dist)
  return s / ps.length
}
