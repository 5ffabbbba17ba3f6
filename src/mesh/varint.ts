/**
 * Unsigned LEB128 varints: the length prefix of every `/baobab/sync` and `/baobab/fetch` frame
 * and the integers inside reconciliation messages. Pure.
 */

/** Appends the varint of `value` (a non-negative safe integer) to `out`. */
export function writeVarint (out: number[], value: number): void {
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

/** The varint of `value` as bytes. */
export function varintBytes (value: number): number[] {
  const out: number[] = []
  writeVarint(out, value)
  return out
}

/** How many bytes the varint of `value` takes. */
export function varintLength (value: number): number {
  let len = 1
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) len++
  return len
}

/**
 * The varint at `offset`, read over at most `maxBytes` bytes: its value and length, or
 * `'truncated'` when `bytes` end inside it, or `'too-long'` when it needs more than `maxBytes`.
 */
export function readVarint (bytes: Uint8Array, offset: number, maxBytes: number): { value: number, length: number } | 'truncated' | 'too-long' {
  let value = 0
  let scale = 1
  for (let i = 0; i < maxBytes; i++) {
    const b = bytes[offset + i]
    if (b === undefined) return 'truncated'
    value += (b & 0x7f) * scale
    if ((b & 0x80) === 0) return { value, length: i + 1 }
    scale *= 0x80
  }
  return 'too-long'
}
