/** `baobab start`: a long-running node (mesh, and optionally the HTTP API + dashboard). */
import { createApi, InsecureBindError, InvalidApiOptionsError, isLoopbackHost, parseListen, serveApi, servicesFromNode } from '../../api/index.ts'
import { createNode } from '../../node/index.ts'
import { loadConfig, resolveHome } from '../config-file.ts'
import { action, globalOptions } from '../context.ts'
import { cyan, dim, green, yellow } from '../demo/render.ts'
import { untilStopped } from '../stdout.ts'
import type { NodeConfig } from '../../config.ts'
import type { Command } from 'commander'

const collect = (value: string, previous: string[]): string[] => [...previous, value]

export interface HttpPlan { host: string, port: number, token?: string }

/**
 * Where `--http` serves and with which token (flag, then $BAOBAB_HTTP_TOKEN, then http.token in
 * config.json), checked before the node starts: off loopback without a token is refused whole.
 */
export function httpPlan (http: string | true, flagToken: string | undefined, config: NodeConfig, env = process.env): HttpPlan {
  const { host, port } = parseListen(typeof http === 'string' ? http : config.http?.listen ?? '127.0.0.1:7777')
  const token = [flagToken, env.BAOBAB_HTTP_TOKEN, config.http?.token].find(t => t != null && t !== '')
  if (token != null && token.length < 16) throw new InvalidApiOptionsError('token', 'must be at least 16 characters')
  if (token == null && !isLoopbackHost(host)) throw new InsecureBindError(host)
  return { host, port, ...(token != null ? { token } : {}) }
}

export function register (program: Command): void {
  program.command('start')
    .description('run this node: discover peers, sync and serve artifacts; optionally the HTTP API and dashboard')
    .option('--listen <multiaddr>', 'listen address (repeatable; default from config)', collect, [])
    .option('--bootstrap <multiaddr>', 'peer to dial at start (repeatable)', collect, [])
    .option('--no-mdns', 'do not use mDNS discovery on the LAN')
    .option('--http [host:port]', 'serve the OpenAI-compatible API and dashboard (default 127.0.0.1:7777)')
    .option('--token <token>', 'bearer token for --http (16+ characters; or $BAOBAB_HTTP_TOKEN, or http.token in config.json); required off loopback')
    .addHelpText('after', '\nExamples:\n  BAOBAB_HOME=a baobab start --listen /ip4/127.0.0.1/tcp/4001\n  BAOBAB_HOME=b baobab start --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/12D3Koo… --http\n  BAOBAB_HTTP_TOKEN=$(openssl rand -hex 16) baobab start --http 10.77.0.2:7777')
    .action(action(async (opts: { listen: string[], bootstrap: string[], mdns: boolean, http?: string | boolean, token?: string }, cmd: Command) => {
      const home = resolveHome(globalOptions(cmd).home)
      const config = loadConfig(home)
      if (opts.listen.length > 0) config.listen = opts.listen
      config.bootstrap = [...config.bootstrap, ...opts.bootstrap]
      if (!opts.mdns) config.mdns = false
      const http = opts.http != null && opts.http !== false ? httpPlan(opts.http, opts.token, config) : undefined
      const node = await createNode({ home, config })
      let served: Awaited<ReturnType<typeof serveApi>> | undefined
      try {
        await node.start()
        const mesh = node.mesh!
        const t = (): string => dim(new Date().toISOString().slice(11, 19))
        mesh.on('peer:connected', ({ peer }) => { console.log(`${t()} ${cyan('peer')}  connected ${peer}`) })
        mesh.on('peer:disconnected', ({ peer }) => { console.log(`${t()} ${cyan('peer')}  disconnected ${peer}`) })
        mesh.on('peer:refused', ({ peer, reason }) => { console.log(`${t()} ${yellow('peer')}  ${peer} ${reason}`) })
        mesh.on('sync:done', r => { console.log(`${t()} ${cyan('sync')}  ${r.peer.slice(-8)}: ${r.need.length} new, ${r.have.length} offered, ${r.bytesSent + r.bytesReceived} bytes in ${r.rounds} rounds`) })
        // the trust pipeline stores an arrival in quarantine, then decides: one line for each
        mesh.on('artifact:quarantined', r => { if (r.inserted) console.log(`${t()} ${cyan('hold')}  ${r.kind} ${r.cid} (quarantined until checked)`) })
        mesh.on('artifact:admitted', r => { console.log(`${t()} ${green('admit')} ${r.kind} ${r.cid} (${r.status}${r.reason != null ? `: ${r.reason}` : ''})`) })
        mesh.on('artifact:rejected', r => { console.log(`${t()} ${yellow('reject')} ${r.kind} ${r.cid}: ${r.reason ?? ''}`) })
        const counts = node.library.counts()
        console.log(`node ${node.peerId}`)
        console.log(`library ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}`)
        for (const a of mesh.multiaddrs()) console.log(`listening ${a}`)
        if (http != null) {
          const { allowedHosts, allowedOrigins } = config.http ?? {}
          const gate = { ...(allowedHosts != null ? { allowedHosts } : {}), ...(allowedOrigins != null ? { allowedOrigins } : {}) }
          served = await serveApi(
            createApi(servicesFromNode(node), { ...gate, ...(http.token != null ? { token: http.token } : {}) }),
            { host: http.host, port: http.port }
          )
          console.log(`dashboard ${served.url}  (OpenAI-compatible API at ${served.url}v1)`)
        }
        await untilStopped()
        console.log('stopping…')
      } finally {
        // interfaces first, then the node (mesh, trust and router, library)
        await served?.close()
        await node.stop()
      }
    }))
}
