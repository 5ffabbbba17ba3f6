/**
 * Why a simulated lookup did not find its record: each failed GET falls into one class, decided
 * from ground truth the simulator has and a node does not (who holds a replica, who is online,
 * which nodes are truly closest to the key).
 */
import type { SimNetwork } from './network.ts'

export type FailureClass = 'replicas-offline' | 'put-missed-closest' | 'get-stopped-short'

export const FAILURE_CAUSES: Record<FailureClass, string> = {
  'replicas-offline': 'every node holding a replica (the publisher and the k nodes the put stored at) was offline during the GET',
  'put-missed-closest': 'the PUT stored its replicas away from the key\'s closest nodes (its lookup ended before finding them), so the GET, which converges on the closest online nodes, asked none of them',
  'get-stopped-short': 'replicas were online among the key\'s closest nodes, but the GET\'s lookup ended (its α·paths queries found no closer peers) before asking any of them'
}

/** `putClosest`: the k nodes nearest the key when the record was put (everyone online then). */
export function classifyFailure (net: SimNetwork, holders: Set<number>, putClosest: number[]): FailureClass {
  const online = [...holders].filter(h => net.online[h] === 1)
  if (online.length === 0) return 'replicas-offline'
  const closest = new Set(putClosest)
  if (!online.some(h => closest.has(h))) return 'put-missed-closest'
  return 'get-stopped-short'
}
