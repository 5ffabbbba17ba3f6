/** A binary min-heap of timed events for the discrete-event simulators. */
export interface SimEvent {
  t: number
  seq: number
}

export class EventQueue<E extends SimEvent> {
  private readonly heap: E[] = []
  private seq = 0

  get size (): number {
    return this.heap.length
  }

  push (event: Omit<E, 'seq'>): void {
    const e = { ...event, seq: this.seq++ } as E
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (before(h[p]!, e)) break
      h[i] = h[p]!
      i = p
    }
    h[i] = e
  }

  pop (): E | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined || h.length === 0) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= h.length) break
      const r = l + 1
      const c = r < h.length && before(h[r]!, h[l]!) ? r : l
      if (before(last, h[c]!)) break
      h[i] = h[c]!
      i = c
    }
    h[i] = last
    return top
  }
}

function before (a: SimEvent, b: SimEvent): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq)
}
