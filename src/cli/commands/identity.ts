/** `baobab init`, `baobab id`. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadOrCreateIdentity } from '../../artifacts/index.ts'
import { CONFIG_FILE, loadConfig, resolveHome, saveConfig } from '../config-file.ts'
import { action, emit, globalOptions } from '../context.ts'
import type { Command } from 'commander'

export function register (program: Command): void {
  program.command('init')
    .description('create the node key (0600) and config.json in $BAOBAB_HOME (default ~/.baobab)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  BAOBAB_HOME=./node-a baobab init')
    .action(action(async (_opts: unknown, cmd: Command) => {
      const home = resolveHome(globalOptions(cmd).home)
      const identity = await loadOrCreateIdentity(home)
      const configPath = join(home, CONFIG_FILE)
      const createdConfig = !existsSync(configPath)
      if (createdConfig) saveConfig(home, loadConfig(home))
      emit(cmd, { home, peerId: identity.peerId.toString(), createdKey: identity.created, createdConfig }, () => {
        console.log(`${identity.created ? 'created' : 'existing'} node ${identity.peerId.toString()}`)
        console.log(`home: ${home}${createdConfig ? ' (config.json written)' : ''}`)
      })
    }))

  program.command('id')
    .description('print this node\'s peer id')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      const home = resolveHome(globalOptions(cmd).home)
      const identity = await loadOrCreateIdentity(home)
      emit(cmd, { peerId: identity.peerId.toString(), keyPath: identity.keyPath }, () => { console.log(identity.peerId.toString()) })
    }))
}
