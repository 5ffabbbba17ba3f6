/** `baobab network create|join|leave|show`: private networks with a pre-shared key. */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { loadConfig, saveConfig } from '../config-file.ts'
import { UsageError } from '../errors.ts'
import { action, emit, globalOptions } from '../context.ts'
import { resolveHome } from '../config-file.ts'
import { networkKeyOf, readNetworkKey, validateNetworkKey, writeNetworkKey } from '../../mesh/index.ts'
import type { Command } from 'commander'

function fingerprint (key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

function homeOf (cmd: Command): string {
  return resolveHome(globalOptions(cmd).home)
}

/** Points config.json at a key file and drops any copy of the secret from it. */
function useKeyFile (home: string, path: string): void {
  const config = loadConfig(home)
  delete config.psk
  config.pskFile = path
  saveConfig(home, config)
}

export function register (program: Command): void {
  const net = program.command('network').description('private networks: only nodes holding the same key can even complete a handshake')
  net.command('create')
    .description('write a new pre-shared key file and use it for this node')
    .option('--out <file>', 'where to write the key (default <home>/network.key)')
    .option('--force', 'overwrite an existing key file')
    .option('--no-join', 'only write the file')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nGive the key file to the other members (USB stick, secure channel), then on each:\n  baobab network join network.key')
    .action(action(async (opts: { out?: string, force?: boolean, join: boolean }, cmd: Command) => {
      const home = homeOf(cmd)
      const path = resolve(opts.out ?? join(home, 'network.key'))
      if (existsSync(path) && opts.force !== true) throw new UsageError(`${path} exists; pass --force to replace it`)
      const key = writeNetworkKey(path)
      // the secret stays in the 0600 key file; config.json (readable by others) names the file
      if (opts.join) useKeyFile(home, path)
      emit(cmd, { path, fingerprint: fingerprint(key), joined: opts.join }, () => {
        console.log(`wrote network key ${path} (fingerprint ${fingerprint(key)})${opts.join ? '; this node now uses it' : ''}`)
        console.log('keep it secret: anyone holding it can join. Restart a running node to apply.')
      })
    }))
  net.command('join <keyfile>')
    .description('use a pre-shared key file written by `baobab network create`')
    .option('--json', 'print JSON')
    .action(action(async (keyfile: string, _opts: unknown, cmd: Command) => {
      const home = homeOf(cmd)
      const key = readNetworkKey(keyfile)
      useKeyFile(home, resolve(keyfile))
      emit(cmd, { joined: true, fingerprint: fingerprint(key) }, () => {
        console.log(`joined the private network ${fingerprint(key)}; restart a running node to apply`)
      })
    }))
  net.command('leave')
    .description('stop using a pre-shared key (back to the open network)')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      const home = homeOf(cmd)
      const config = loadConfig(home)
      delete config.psk
      delete config.pskFile
      saveConfig(home, config)
      emit(cmd, { joined: false }, () => { console.log('left the private network') })
    }))
  net.command('show')
    .description('network name and whether a private key is in use')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      const config = loadConfig(homeOf(cmd))
      const key = networkKeyOf(config)
      const fp = key != null ? fingerprint(validateNetworkKey(key)) : null
      const kind = fp != null ? 'private' : 'open'
      emit(cmd, { network: config.network, kind, private: fp != null, fingerprint: fp, keyFile: config.pskFile ?? null }, () => {
        // two networks may share a name: "default, private" and "default, open" never meet
        console.log(`network ${config.network}, ${kind}${fp != null ? ` (key ${fp}${config.pskFile != null ? `, file ${config.pskFile}` : ''}): only nodes holding this key connect` : ' (no pre-shared key): nodes of a private network cannot connect to it'}`)
      })
    }))
}
