/**
 * Runs several `baobab` command lines in one process (the commands' own registration functions,
 * a real home folder) and prints one JSON array of {out, err, code}. Used by cli.test.ts so that
 * capturing stdout never touches the test runner's own stdout.
 *
 *   node test/router/cli-driver.ts <home> '[["route","--file","q.jsonl","--json"], ...]'
 */
import { Command } from 'commander'
import { registerAdapterAdd } from '../../src/cli/commands/adapter-add.ts'
import { register as registerAsk } from '../../src/cli/commands/ask.ts'
import { register as registerRoute } from '../../src/cli/commands/route.ts'
import { reportError } from '../../src/cli/context.ts'

const [home, json] = process.argv.slice(2)
const lines = JSON.parse(json!) as string[][]
const results: Array<{ out: string, err: string, code: number }> = []
const write = process.stdout.write.bind(process.stdout)
const log = console.log
const error = console.error

for (const args of lines) {
  const program = new Command('baobab').option('--home <dir>').exitOverride()
  registerRoute(program)
  registerAsk(program)
  registerAdapterAdd(program.command('adapter'))
  let out = ''
  let err = ''
  process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true }) as typeof process.stdout.write
  console.log = (...a: unknown[]) => { out += a.join(' ') + '\n' }
  console.error = (...a: unknown[]) => { err += a.join(' ') + '\n' }
  process.exitCode = 0
  try {
    await program.parseAsync(['node', 'baobab', '--home', home!, ...args])
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('commander.') === true) process.exitCode = 2
    else reportError(e)
  } finally {
    process.stdout.write = write
    console.log = log
    console.error = error
  }
  results.push({ out, err, code: Number(process.exitCode ?? 0) })
}
process.exitCode = 0
write(JSON.stringify(results) + '\n')
