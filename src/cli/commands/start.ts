/** `baobab start`: a long-running node (mesh, and optionally the HTTP API + dashboard). */
import { createApi, parseListen, serveApi, servicesFromNode } from '../../api/index.ts'
import { createNode } from '../../node.ts'
import { loadConfig, resolveHome } from '../config-file.ts'
import { action, globalOptions } from '../context.ts'
import { cyan, dim, green, yellow } from '../demo/render.ts'
import type { Command } from 'commander'

const collect = (value: string, previous: string[]): string[] => [...previous, value]

export function register (program: Command): void {
  program.command('start')
    .description('run this node: discover peers, sync and serve artifacts; optionally the HTTP API and dashboard')
    .option('--listen <multiaddr>', 'listen address (repeatable; default from config)', collect, [])
    .option('--bootstrap <multiaddr>', 'peer to dial at start (repeatable)', collect, [])
    .option('--no-mdns', 'do not use mDNS discovery on the LAN')
    .option('--http [host:port]', 'serve the OpenAI-compatible API and dashboard (default 127.0.0.1:7777)')
    .addHelpText('after', '\nExamples:\n  BAOBAB_HOME=a baobab start --listen /ip4/127.0.0.1/tcp/4001\n  BAOBAB_HOME=b baobab start --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/12D3Koo… --http')
    .action(action(async (opts: { listen: string[], bootstrap: string[], mdns: boolean, http?: string | boolean }, cmd: Command) => {
      const home = resolveHome(globalOptions(cmd).home)
      const config = loadConfig(home)
      if (opts.listen.length > 0) config.listen = opts.listen
      config.bootstrap = [...config.bootstrap, ...opts.bootstrap]
      if (!opts.mdns) config.mdns = false
      const node = await createNode({ home, config })
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
      let served: Awaited<ReturnType<typeof serveApi>> | undefined
      if (opts.http != null && opts.http !== false) {
        const listen = typeof opts.http === 'string' ? opts.http : config.http?.listen ?? '127.0.0.1:7777'
        const { host, port } = parseListen(listen)
        const token = config.http?.token
        served = await serveApi(createApi(servicesFromNode(node), token != null ? { token } : {}), { host, port })
        console.log(`dashboard ${served.url}  (OpenAI-compatible API at ${served.url}v1)`)
      }
      await new Promise<void>(resolve => {
        process.once('SIGINT', () => { resolve() })
        process.once('SIGTERM', () => { resolve() })
      })
      console.log('stopping…')
      await served?.close()
      await node.stop()
    }))
}
