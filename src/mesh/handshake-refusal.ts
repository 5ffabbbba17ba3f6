/**
 * Telling a private-network mismatch apart from an unreachable peer. A node with a pre-shared key
 * and one without (or with another key) reach each other's TCP port, but the handshake never
 * completes: the protector's stream cipher turns every byte into noise, so the far side sees
 * `EncryptionFailedError` (e.g. "Message length too long"), a reset connection or a stall.
 * A refused or unroutable port is not a mismatch.
 */

const UNREACHABLE = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|NoValidAddresses|no valid addresses/i
const HANDSHAKE = /EncryptionFailed|ECONNRESET|EPIPE|Message length too long|UnexpectedEOF|unexpected end|InvalidMessage|InvalidCryptoExchange|UnsupportedProtocol|protocol selection|multistream|Timeout|timed out/i

function texts (err: unknown, out: string[] = [], depth = 0): string[] {
  if (err == null || depth > 6) return out
  const e = err as { name?: unknown, message?: unknown, code?: unknown, cause?: unknown, errors?: unknown }
  out.push(`${String(e.name ?? '')}: ${String(e.message ?? err)} ${String(e.code ?? '')}`)
  if (Array.isArray(e.errors)) for (const x of e.errors.slice(0, 8)) texts(x, out, depth + 1)
  texts(e.cause, out, depth + 1)
  return out
}

/**
 * Why a dial of a peer that was seen failed at the handshake, in words for the user; undefined
 * when it failed for another reason (nothing listening, no route).
 */
export function handshakeRefusal (err: unknown, privateNetwork: boolean): string | undefined {
  const all = texts(err)
  const joined = all.join(' | ')
  if (UNREACHABLE.test(joined) || !HANDSHAKE.test(joined)) return undefined
  const first = (all[0] ?? '').trim()
  // a stall alone could also be a slow link: say "probably"
  const likely = HANDSHAKE.test(joined.replace(/Timeout|timed out/gi, '')) ? '' : 'probably '
  return privateNetwork
    ? `seen but refused: the handshake failed under this node's private network key, so the peer is ${likely}on the open network or holds a different key (${first})`
    : `seen but refused: the handshake failed, so the peer is probably on a private network this node has no key for; get its key file and run \`baobab network join <keyfile>\` (${first})`
}
