/**
 * A mesh node in its own process, for crash tests and the mesh bench (idle memory, swarming,
 * kill -9 resume): `node test/helpers/mesh-child.ts <home>` prints `{"addr", "peer"}` once
 * started, then answers one JSON line per command read from stdin:
 * `dial <addr>`, `fetch <cid> <peer>...` (one `{"verified", "total"}` line per stored chunk,
 * then `{"outcome", "fetched"}`), `rss`, `stop`. Loopback only; the key lives in `<home>`.
 */
import { createInterface } from 'node:readline'
import { loadOrCreateIdentity } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { createMesh } from '../../src/mesh/index.ts'
import { createTrust } from '../../src/trust/index.ts'

const home = process.argv[2]
if (home == null) throw new Error('usage: mesh-child.ts <home>')
const say = (o: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(o) + '\n') }
const { privateKey } = await loadOrCreateIdentity(home)
const library = openLibrary({ home })
// what arrives goes through the trust pipeline, as in the product
const admission = createTrust({ library, privateKey }, { policy: 'open', shareVotes: false }).admission
const mesh = createMesh({ privateKey, library, admission }, {
  listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, syncOnConnect: false, autoFetch: false, syncIntervalMs: 0, watchIntervalMs: 0
})
await mesh.start()
say({ addr: mesh.multiaddrs()[0], peer: mesh.peerId.toString() })

async function handle (cmd: string, args: string[]): Promise<void> {
  if (cmd === 'dial') {
    await mesh.dial(args[0] as string)
    say({ dialed: args[0] })
  } else if (cmd === 'fetch') {
    const r = await mesh.fetch(args[0] as string, {
      providers: args.slice(1),
      onProgress: e => { if (e.type === 'chunk:verified') say({ verified: e.done, total: e.total }) }
    })
    say({ outcome: r.outcome, fetched: r.chunks?.fetched ?? 0 })
  } else if (cmd === 'rss') {
    say({ rss: process.memoryUsage().rss, peers: mesh.peers().length })
  } else if (cmd === 'stop') {
    await mesh.stop()
    library.close()
    say({ stopped: true })
    process.exit(0)
  } else {
    say({ error: `unknown command ${cmd}` })
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, ...args] = line.trim().split(/\s+/)
  if (cmd == null || cmd === '') continue
  await handle(cmd, args).catch((err: Error) => { say({ error: `${err.name}: ${err.message}` }) })
}
