/** Name helpers shared by the readers: natural ordering of layer-numbered tensor names. */

/** Compare names so that `layers.2` sorts before `layers.10`. */
export function naturalCompare (x: string, y: string): number {
  const xs = x.split(/(\d+)/)
  const ys = y.split(/(\d+)/)
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const a = xs[i] as string
    const b = ys[i] as string
    if (a === b) continue
    if (i % 2 === 1) return Number(a) - Number(b)
    return a < b ? -1 : 1
  }
  return xs.length - ys.length
}

/** Layer index in a module or tensor name (`model.layers.3.…`, `transformer.h.3.…`, `blk.3.…`). */
export function layerIndex (name: string): number | undefined {
  const m = /(?:^|\.)(?:layers|h|blk)\.(\d+)\./.exec(name)
  return m == null ? undefined : Number(m[1])
}
