/** `baobab peers list|dial`: peers seen by this node, and a one-shot dial. */
import { peerIdFromString } from '@libp2p/peer-id'
import { createNode } from '../../node/index.ts'
import { loadConfig, resolveHome, saveConfig } from '../config-file.ts'
import { action, emit, globalOptions, withContext } from '../context.ts'
import { PeerBook } from '../../mesh/index.ts'
import type { BaobabNode } from '../../node/index.ts'
import type { Mesh, MeshInit } from '../../mesh/index.ts'
import type { Command } from 'commander'

/**
 * A short-lived node for one-shot commands, built by `createNode` like `baobab start` (same trust
 * pipeline: deny list, policy, screens), but not listening, discovering, or syncing and fetching
 * on its own: the command decides what to do. Stop it with `node.stop()`.
 */
export async function startOneShotNode (cmd: Command, overrides: Partial<MeshInit> = {}): Promise<BaobabNode & { mesh: Mesh }> {
  const home = resolveHome(globalOptions(cmd).home)
  const node = await createNode({
    home,
    config: loadConfig(home),
    meshInit: { listen: [], bootstrap: [], mdns: false, syncOnConnect: false, autoFetch: false, syncIntervalMs: 0, watchIntervalMs: 0, ...overrides }
  })
  try {
    await node.start()
  } catch (err) {
    await node.stop()
    throw err
  }
  return node as BaobabNode & { mesh: Mesh }
}

function ago (ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000))
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`
}

export function register (program: Command): void {
  const peers = program.command('peers').description('peers this node has found, and dialling one')
  peers.command('list')
    .description('peers recorded by this node (connected ones first; a running `baobab start` keeps this current)')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, ctx => {
        const list = new PeerBook(ctx.library).list()
        emit(cmd, list, () => {
          if (list.length === 0) console.log('(no peers seen yet: run `baobab start`, or `baobab peers dial <multiaddr>`)')
          for (const p of list) {
            const state = p.connected ? 'connected' : p.refused != null ? 'refused  ' : 'seen     '
            console.log(`${state}  ${p.peer}  ${ago(p.lastSeen).padEnd(8)} via ${p.via.padEnd(9)} ${p.addrs[0] ?? ''}`)
            if (!p.connected && p.refused != null) console.log(`           ${p.refused}`)
          }
        })
      })
    }))
  peers.command('dial <multiaddr>')
    .description('connect to a peer once, measure the round trip, optionally keep it as a bootstrap peer')
    .option('--save', 'add the address to config.bootstrap')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  baobab peers dial /ip4/192.168.1.20/tcp/4001/p2p/12D3KooW... --save')
    .action(action(async (address: string, opts: { save?: boolean }, cmd: Command) => {
      const node = await startOneShotNode(cmd)
      try {
        const mesh = node.mesh
        const peer = await mesh.dial(address, { signal: AbortSignal.timeout(15_000) })
        const rtt = await mesh.libp2p.services.ping.ping(peerIdFromString(peer), { signal: AbortSignal.timeout(10_000) })
        if (opts.save === true) {
          const config = loadConfig(node.home)
          if (!config.bootstrap.includes(address)) config.bootstrap.push(address)
          saveConfig(node.home, config)
        }
        emit(cmd, { peer, rttMs: rtt, saved: opts.save === true }, () => {
          console.log(`connected to ${peer} (round trip ${rtt} ms)${opts.save === true ? '; saved as a bootstrap peer' : ''}`)
        })
      } finally {
        await node.stop()
      }
    }))
}
