/**
 * The simulated DHT population: N node identities (real Ed25519 peer ids from seeded random public
 * keys, kad ids = sha256 of the peer id multihash, as kad-dht computes them) and their routing
 * tables, built lazily for the nodes a lookup touches.
 *
 * Routing tables follow the installed kad-dht's KBucket: a trie split on the first PREFIX_LENGTH
 * (6) bits of the kad id, so at most 2^6 buckets of k = 20 peers (1,280 contacts). The contents are
 * a steady state: the bucket of the node's own prefix holds its k closest peers (what the periodic
 * self-query finds), every other bucket k peers drawn uniformly from that prefix (what table
 * refresh and past contacts leave there). `closest()` returns exactly what KBucket.closest returns
 * for those contents (checked against the real KBucket in test/outcomes/sim-routing.test.ts) but
 * walks prefix groups instead of all 1,280 contacts, which keeps 100k-node runs within minutes.
 */
import { createHash } from 'node:crypto'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { Rng } from '../rng.ts'
import type { PeerId } from '@libp2p/interface'

export interface NetworkInit {
  n: number
  seed: number
  k: number
  prefixLength: number
  /** Tables kept in memory; older ones are rebuilt (identically) when needed again. */
  tableCache?: number
}

/** ed25519 public key protobuf, wrapped in an identity multihash: the bytes of a peer id. */
const MH_PREFIX = Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20])

export function xorLess (a: Uint8Array, b: Uint8Array, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) {
    const x = a[i]! ^ key[i]!
    const y = b[i]! ^ key[i]!
    if (x !== y) return x < y
  }
  return false
}

export class SimNetwork {
  /** The first 48 bits of each kad id as two 24-bit halves: fast XOR ordering (ties fall back to all 256 bits). */
  private readonly hi: Int32Array
  private readonly lo: Int32Array
  readonly n: number
  readonly k: number
  readonly prefixLength: number
  readonly kadIds: Uint8Array[]
  readonly online: Uint8Array
  private readonly publicKeys: Uint8Array[]
  private readonly groups: number[][]
  private readonly peerIds = new Map<number, PeerId>()
  private readonly index = new WeakMap<PeerId, number>()
  private readonly tables = new Map<number, Int32Array[]>()
  private readonly tableCache: number
  private readonly seed: number

  constructor (init: NetworkInit) {
    this.n = init.n
    this.k = init.k
    this.prefixLength = init.prefixLength
    this.seed = init.seed
    this.tableCache = init.tableCache ?? 20_000
    const rng = new Rng(init.seed)
    this.publicKeys = []
    this.kadIds = []
    this.groups = Array.from({ length: 2 ** this.prefixLength }, () => [])
    for (let i = 0; i < this.n; i++) {
      const pub = new Uint8Array(32)
      for (let j = 0; j < 32; j++) pub[j] = rng.int(256)
      this.publicKeys.push(pub)
      const mh = new Uint8Array(MH_PREFIX.length + 32)
      mh.set(MH_PREFIX)
      mh.set(pub, MH_PREFIX.length)
      const kad = new Uint8Array(createHash('sha256').update(mh).digest())
      this.kadIds.push(kad)
      this.groups[this.groupOf(kad)]!.push(i)
    }
    this.online = new Uint8Array(this.n).fill(1)
    this.hi = new Int32Array(this.n)
    this.lo = new Int32Array(this.n)
    this.kadIds.forEach((k, i) => {
      this.hi[i] = (k[0]! << 16) | (k[1]! << 8) | k[2]!
      this.lo[i] = (k[3]! << 16) | (k[4]! << 8) | k[5]!
    })
  }

  /** The `count` nodes nearest to `key` (XOR), nearest first, without sorting them all. */
  nearest (nodes: ArrayLike<number>, key: Uint8Array, count: number, skip = -1): number[] {
    const kh = (key[0]! << 16) | (key[1]! << 8) | key[2]!
    const kl = (key[3]! << 16) | (key[4]! << 8) | key[5]!
    const best: number[] = []
    const dist: number[] = []
    for (let j = 0; j < nodes.length; j++) {
      const m = nodes[j]!
      if (m === skip) continue
      const d = ((this.hi[m]! ^ kh) * 16_777_216) + (this.lo[m]! ^ kl)
      if (best.length === count && d > dist[count - 1]!) continue
      let p = best.length
      while (p > 0 && (dist[p - 1]! > d || (dist[p - 1] === d && xorLess(this.kadIds[m]!, this.kadIds[best[p - 1]!]!, key)))) p--
      best.splice(p, 0, m)
      dist.splice(p, 0, d)
      if (best.length > count) { best.pop(); dist.pop() }
    }
    return best
  }

  /** Sorts node indices by XOR distance to `key`, nearest first. */
  sortByDistance (nodes: number[], key: Uint8Array): number[] {
    const kh = (key[0]! << 16) | (key[1]! << 8) | key[2]!
    const kl = (key[3]! << 16) | (key[4]! << 8) | key[5]!
    const d = (i: number): number => ((this.hi[i]! ^ kh) * 16_777_216) + (this.lo[i]! ^ kl)
    return nodes.sort((a, b) => (d(a) - d(b)) || (xorLess(this.kadIds[a]!, this.kadIds[b]!, key) ? -1 : 1))
  }

  groupOf (kadId: Uint8Array): number {
    // the first prefixLength bits (prefixLength ≤ 16)
    return ((kadId[0]! << 8) | kadId[1]!) >>> (16 - this.prefixLength)
  }

  peerId (i: number): PeerId {
    let p = this.peerIds.get(i)
    if (p == null) {
      p = peerIdFromPublicKey(publicKeyFromRaw(this.publicKeys[i]!))
      this.peerIds.set(i, p)
      this.index.set(p, i)
    }
    return p
  }

  indexOf (peer: PeerId): number {
    const i = this.index.get(peer)
    if (i == null) throw new Error(`unknown simulated peer ${peer.toString()}`)
    return i
  }

  /** Node i's table: for each prefix group, the member indices it holds. */
  table (i: number): Int32Array[] {
    let t = this.tables.get(i)
    if (t != null) return t
    const rng = new Rng((this.seed * 1_000_003 + i) >>> 0)
    const own = this.groupOf(this.kadIds[i]!)
    t = this.groups.map((members, g) => {
      if (g === own && members.length <= this.k + 1) return Int32Array.from(members.filter(m => m !== i))
      if (g !== own && members.length <= this.k) return Int32Array.from(members)
      if (g === own) {
        return Int32Array.from(this.nearest(members, this.kadIds[i]!, this.k, i))
      }
      // k distinct members, uniformly (i is not in this group)
      const picked = new Int32Array(this.k)
      for (let j = 0; j < this.k;) {
        const m = members[rng.int(members.length)]!
        if (!picked.subarray(0, j).includes(m)) picked[j++] = m
      }
      return picked
    })
    if (this.tables.size >= this.tableCache) this.tables.delete(this.tables.keys().next().value!)
    this.tables.set(i, t)
    return t
  }

  tableSize (i: number): number {
    return this.table(i).reduce((s, g) => s + g.length, 0)
  }

  /** The `count` contacts of node i closest to `kadKey` (XOR), nearest first: KBucket.closest's answer. */
  closest (i: number, kadKey: Uint8Array, count: number): number[] {
    const t = this.table(i)
    const gk = this.groupOf(kadKey)
    const out: number[] = []
    // groups in ascending order of (group XOR key group): the leading bits of the XOR distance
    for (let x = 0; x < t.length && out.length < count; x++) {
      const members = this.sortByDistance([...t[gk ^ x]!], kadKey)
      for (const m of members) {
        if (out.length >= count) break
        out.push(m)
      }
    }
    return out
  }

  /** The `count` online nodes closest to `kadKey` in the whole network (ground truth). */
  trueClosest (kadKey: Uint8Array, count: number): number[] {
    const gk = this.groupOf(kadKey)
    const out: number[] = []
    for (let x = 0; x < this.groups.length && out.length < count; x++) {
      const members = this.nearest(this.groups[gk ^ x]!.filter(m => this.online[m] === 1), kadKey, count - out.length)
      out.push(...members)
    }
    return out
  }

  setOffline (fraction: number, rng: Rng, keep: number[] = []): void {
    this.online.fill(1)
    const target = Math.round(fraction * this.n)
    let off = 0
    while (off < target) {
      const i = rng.int(this.n)
      if (this.online[i] === 1 && !keep.includes(i)) { this.online[i] = 0; off++ }
    }
  }
}
