/** The `baobab` command line. Each command group registers itself from `commands/`. */
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { register as registerArtifact } from './commands/artifact.ts'
import { register as registerCar } from './commands/car.ts'
import { register as registerDemo } from './commands/demo.ts'
import { register as registerStart } from './commands/start.ts'
import { register as registerDoctor } from './commands/doctor.ts'
import { register as registerEmbedder } from './commands/embedder.ts'
import { register as registerEval } from './commands/eval.ts'
import { register as registerExperience } from './commands/experience.ts'
import { register as registerIdentity } from './commands/identity.ts'
import { register as registerLearn } from './commands/learn.ts'
import { register as registerLibrary } from './commands/library.ts'
import { register as registerMcp } from './commands/mcp.ts'
import { register as registerNetwork } from './commands/network.ts'
import { register as registerOutcome } from './commands/outcome.ts'
import { register as registerPeers } from './commands/peers.ts'
import { register as registerSync } from './commands/sync.ts'
import { register as registerTrust } from './commands/trust.ts'
import { registerAdapterAdd } from './commands/adapter-add.ts'
import { registerAdapterMath } from './commands/adapter-math.ts'
import { register as registerAsk } from './commands/ask.ts'
import { register as registerRoute } from './commands/route.ts'
import { reportError } from './context.ts'
import { endQuietlyOnClosedStdout } from './stdout.ts'

endQuietlyOnClosedStdout()

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const program = new Command('baobab')
  .description('Baobab: a peer-to-peer knowledge mesh for local AI')
  .version(version)
  .option('--home <dir>', 'node home (default $BAOBAB_HOME or ~/.baobab)')
  .showHelpAfterError()
  .exitOverride()

registerIdentity(program)
registerLibrary(program)
registerArtifact(program)
registerDemo(program)
registerStart(program)
registerMcp(program)
registerDoctor(program)
registerEmbedder(program)
registerExperience(program)
registerLearn(program)
registerTrust(program)
registerOutcome(program)
registerPeers(program)
registerSync(program)
registerNetwork(program)
registerCar(program)
registerEval(program)

registerRoute(program)
registerAsk(program)

const adapter = program.command('adapter').description('add, inspect, convert, compare, merge and compress LoRA adapters')
registerAdapterAdd(adapter)
registerAdapterMath(adapter)

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.exitCode !== 0) process.exitCode = 2
  } else {
    reportError(err)
  }
}
