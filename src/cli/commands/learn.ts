/** `baobab learn` (training-free GRPO over a task file) and `baobab learn eval` (held-out with vs without). */
import { createEmbedder } from '../../embedding/index.ts'
import { createRuntime } from '../../runtime/index.ts'
import { evaluateLearning } from '../../eval/index.ts'
import { ExperienceStore, experienceSource, InvalidLearnOptionsError, learn, loadGrader, readTasks } from '../../learn/index.ts'
import { UsageError } from '../errors.ts'
import { action, emit, progressBar, wantsJson, withContext } from '../context.ts'
import type { CliContext } from '../context.ts'
import type { RuntimeConfig } from '../../config.ts'
import type { EvalReport } from '../../eval/index.ts'
import type { Grader, LearnReport } from '../../learn/index.ts'
import type { LlmRuntime } from '../../runtime/index.ts'
import type { Command } from 'commander'

interface RuntimeOpts { runtime?: string, model?: string, baseUrl?: string }
interface CommonOpts extends RuntimeOpts {
  tasks: string
  grader: string
  graderTimeout: string
  domain?: string
  maxTokens?: string
  k: string
  tokenBudget: string
  temperature?: string
}

function int (name: string, value: string | undefined, min: number): number | undefined {
  if (value == null) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}`)
  return n
}

function runtimeFrom (ctx: CliContext, opts: RuntimeOpts): LlmRuntime {
  let config: RuntimeConfig = ctx.config.runtime
  if (opts.runtime != null) {
    if (!['retrieval', 'llama', 'openai'].includes(opts.runtime)) throw new UsageError('--runtime must be retrieval, llama or openai')
    config = { kind: opts.runtime as RuntimeConfig['kind'], ...(opts.runtime === ctx.config.runtime.kind ? ctx.config.runtime : {}) } as RuntimeConfig
  }
  if (config.kind === 'retrieval') {
    throw new InvalidLearnOptionsError('--runtime', 'learning needs a model, and the retrieval runtime has none (it only returns stored answers, ' +
      'so nothing would be learned). Name one: --runtime llama --model base.gguf, or --runtime openai --base-url http://127.0.0.1:8080/v1 --model <name> ' +
      '(or set runtime in the node config)')
  }
  if (opts.model != null) config = { ...config, model: opts.model }
  if (opts.baseUrl != null) config = { ...config, baseUrl: opts.baseUrl }
  return createRuntime(config)
}

function withCommon (cmd: Command): Command {
  return cmd
    .requiredOption('--tasks <file>', 'JSONL tasks: {"question", "answer" | "answers" | "pattern" | "keywords", "domain"?, "split"?}')
    .requiredOption('--grader <name>', 'exact | regex | numeric | keywords | path to a module exporting grade(output, task)')
    .option('--grader-timeout <ms>', 'time limit per grading call for grader modules', '5000')
    .option('--domain <domain>', 'domain for tasks that name none (default general)')
    .option('--runtime <kind>', 'llama | openai (default: the configured runtime; learning needs a model, so not retrieval)')
    .option('--model <path|name>', 'llama: base GGUF file; openai: model name')
    .option('--base-url <url>', 'openai: server URL')
    .option('--max-tokens <n>', 'tokens per answer')
    .option('--temperature <t>', 'sampling temperature of answers')
    .option('--k <n>', 'experiences per prompt', '5')
    .option('--token-budget <n>', 'estimated tokens the experiences may take', '256')
    .option('--json', 'print JSON')
}

async function setUp (ctx: CliContext, opts: CommonOpts): Promise<{ store: ExperienceStore, runtime: LlmRuntime, grader: Grader, close(): Promise<void> }> {
  const grader = await loadGrader(opts.grader, { timeoutMs: int('--grader-timeout', opts.graderTimeout, 1)! })
  const embedder = await createEmbedder(ctx.config.embedder)
  const store = new ExperienceStore({ library: ctx.library, embedder, privateKey: ctx.identity.privateKey })
  const runtime = runtimeFrom(ctx, opts)
  return { store, runtime, grader, async close () { await grader.close(); await runtime.close() } }
}

function interruptible (): { signal: AbortSignal, dispose(): void } {
  const controller = new AbortController()
  const onSigint = (): void => { controller.abort(new Error('interrupted (Ctrl-C)')) }
  process.once('SIGINT', onSigint)
  return { signal: controller.signal, dispose: () => { process.off('SIGINT', onSigint) } }
}

function printLearn (r: LearnReport): void {
  console.log(`run ${r.runKey}${r.resumed ? ' (resumed)' : ''}   prompts: ${r.templates}`)
  console.log('epoch  mean reward  groups  uniform  malformed  retries  ADD  UPDATE  DELETE  MERGE')
  for (const e of r.epochs) {
    console.log(`${String(e.epoch).padStart(5)}  ${e.meanReward.toFixed(3).padStart(11)}  ${String(e.groups).padStart(6)}  ${String(e.skippedUniform).padStart(7)}  ${String(e.skippedMalformed).padStart(9)}  ${String(e.retries).padStart(7)}  ${String(e.ops.ADD).padStart(3)}  ${String(e.ops.UPDATE).padStart(6)}  ${String(e.ops.DELETE).padStart(6)}  ${String(e.ops.MERGE + e.merged).padStart(5)}`)
  }
  console.log(`${r.experiences.length} active experience(s):`)
  for (const e of r.experiences) console.log(`  ${e.cid}  [${e.domain}] ${e.text}`)
  if (r.warnings.length > 0) console.log(`${r.warnings.length} warning(s); see --json for all`)
}

function printEval (r: EvalReport): void {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  console.log(`held-out tasks: ${r.tasks}, seeds: ${r.seeds.map(s => s.seed).join(', ')}`)
  console.log('seed   without     with    delta')
  for (const s of r.seeds) console.log(`${String(s.seed).padStart(4)}  ${pct(s.without).padStart(7)}  ${pct(s.with).padStart(7)}  ${((s.delta >= 0 ? '+' : '') + pct(s.delta)).padStart(7)}`)
  console.log(`mean  ${pct(r.without.mean).padStart(7)}  ${pct(r.with.mean).padStart(7)}  ${((r.delta.mean >= 0 ? '+' : '') + pct(r.delta.mean)).padStart(7)}  (delta sd ${pct(r.delta.sd)}, min ${pct(r.delta.min)}, max ${pct(r.delta.max)})`)
  console.log(`95% interval of the paired difference: [${pct(r.ci95[0])}, ${pct(r.ci95[1])}] → ${r.verdict}`)
  console.log(`experiences used: ${r.experiencesUsed.length}`)
}

export function register (program: Command): void {
  withCommon(program.command('learn [mode]')
    .description('learn experiences from a task file without changing the model (training-free GRPO); Ctrl-C and rerun resumes.\n' +
      '"baobab learn eval" instead measures held-out accuracy with vs without the learned experiences (same runtime, same seeds).'))
    .option('--group <n>', 'rollouts per task', '5')
    .option('--epochs <n>', 'passes over the training tasks', '3')
    .option('--batch <n>', 'tasks per batch (checkpoint after each)', '4')
    .option('--seed <n>', 'run seed', '0')
    .option('--restart', 'forget the checkpoint of this run and start over')
    .option('--seeds <list>', 'eval: comma-separated seeds', '1,2,3')
    .addHelpText('after', '\nExamples:\n  baobab learn --tasks tasks.jsonl --grader exact --runtime llama --model base.gguf\n  baobab learn eval --tasks tasks.jsonl --grader exact --runtime openai --base-url http://127.0.0.1:8080/v1 --model <name> --seeds 1,2,3')
    .action(action(async (mode: string | undefined, opts: LearnOpts, command: Command) => {
      if (mode === 'eval') await runEval(opts, command)
      else if (mode == null) await runLearn(opts, command)
      else throw new UsageError(`unknown mode "${mode}" (use "baobab learn eval" or no mode)`)
    }))
}

type LearnOpts = CommonOpts & { group: string, epochs: string, batch: string, seed: string, restart?: boolean, seeds: string }

async function runLearn (opts: LearnOpts, command: Command): Promise<void> {
  await withContext(command, async ctx => {
    const tasks = readTasks(opts.tasks)
    const group = int('--group', opts.group, 2)!
    const epochs = int('--epochs', opts.epochs, 1)!
    const batchSize = int('--batch', opts.batch, 1)!
    const seed = int('--seed', opts.seed, 0)!
    const env = await setUp(ctx, opts)
    const { signal, dispose } = interruptible()
    const json = wantsJson(command)
    const bar = progressBar(command, 'rollouts', tasks.filter(t => t.split !== 'test').length * group)
    try {
      const report = await learn({
        store: env.store,
        runtime: env.runtime,
        grader: env.grader,
        tasks,
        group,
        epochs,
        batchSize,
        seed,
        k: int('--k', opts.k, 0)!,
        tokenBudget: int('--token-budget', opts.tokenBudget, 0)!,
        ...(opts.domain != null ? { domain: opts.domain } : {}),
        ...(opts.maxTokens != null ? { maxTokens: int('--max-tokens', opts.maxTokens, 1)! } : {}),
        ...(opts.temperature != null ? { temperature: Number(opts.temperature) } : {}),
        restart: opts.restart === true,
        signal,
        onProgress: e => {
          if (e.type === 'learn:rollout') bar.update(e.done)
          else if (e.type === 'learn:epoch' && !json) console.error(`\nepoch ${e.epoch}: mean reward ${e.meanReward.toFixed(3)} (${e.stats.groups} groups contrasted, ${e.stats.skippedUniform} uniform skipped)`)
          else if (e.type === 'learn:warning' && !json) console.error(`\nwarning: ${e.message}`)
        }
      })
      bar.stop()
      emit(command, report, () => { printLearn(report) })
    } catch (err) {
      bar.stop()
      if (signal.aborted) console.error('interrupted: progress up to the last finished batch is saved; rerun the same command to resume')
      throw err
    } finally {
      dispose()
      await env.close()
    }
  })
}

async function runEval (opts: LearnOpts, command: Command): Promise<void> {
  const seeds = opts.seeds.split(',').map(s => int('--seeds', s.trim(), 0)!)
  await withContext(command, async ctx => {
    const tasks = readTasks(opts.tasks)
    const env = await setUp(ctx, opts)
    const { signal, dispose } = interruptible()
    const evalTasks = tasks.some(t => t.split === 'test') ? tasks.filter(t => t.split === 'test') : tasks
    const bar = progressBar(command, 'eval', evalTasks.length * seeds.length * 2)
    try {
      const report = await evaluateLearning({
        runtime: env.runtime,
        grader: env.grader,
        tasks,
        source: experienceSource(ctx.library, env.store.embedder, { self: env.store.self }),
        seeds,
        k: int('--k', opts.k, 0)!,
        tokenBudget: int('--token-budget', opts.tokenBudget, 0)!,
        ...(opts.domain != null ? { domain: opts.domain } : {}),
        ...(opts.maxTokens != null ? { maxTokens: int('--max-tokens', opts.maxTokens, 1)! } : {}),
        ...(opts.temperature != null ? { temperature: Number(opts.temperature) } : {}),
        signal,
        onProgress: e => { bar.update(e.done) }
      })
      bar.stop()
      emit(command, report, () => { printEval(report) })
    } catch (err) {
      bar.stop()
      throw err
    } finally {
      dispose()
      await env.close()
    }
  })
}
