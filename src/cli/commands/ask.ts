/**
 * `baobab ask "<question>"`: route → expert knowledge (+ LoRA) → experiences → runtime.
 * Shows which expert answered and why (score bars), or that none did and what the runtime says
 * without one.
 *
 * JSON: `{answer, expert: {name, domain} | null, abstained, scores, runtime, experiences: [{cid, text}]}`.
 */
import { createNode } from '../../node/index.ts'
import { createRuntime } from '../../runtime/index.ts'
import { loadConfig, resolveHome } from '../config-file.ts'
import { UsageError } from '../errors.ts'
import { action, emit, globalOptions } from '../context.ts'
import { renderAnswer } from '../demo/render.ts'
import type { Answer } from '../../node/index.ts'
import type { NodeConfig, RuntimeConfig } from '../../config.ts'
import type { Command } from 'commander'

interface AskOptions {
  runtime?: string
  model?: string
  baseUrl?: string
  expert?: string
  maxTokens?: string
  temperature?: string
  seed?: string
}

const RUNTIMES = ['retrieval', 'llama', 'openai']

function runtimeConfig (config: NodeConfig, opts: AskOptions): RuntimeConfig {
  let rc: RuntimeConfig = config.runtime
  if (opts.runtime != null) {
    if (!RUNTIMES.includes(opts.runtime)) throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}`)
    rc = opts.runtime === config.runtime.kind ? config.runtime : { kind: opts.runtime as RuntimeConfig['kind'] }
  }
  if (opts.model != null) rc = { ...rc, model: opts.model }
  if (opts.baseUrl != null) rc = { ...rc, baseUrl: opts.baseUrl }
  return rc
}

function num (flag: string, value: string | undefined, int: boolean): number | undefined {
  if (value == null) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0 || (int && !Number.isInteger(n))) throw new UsageError(`${flag} must be a ${int ? 'whole ' : ''}number >= 0`)
  return n
}

/** The stable JSON shape of an answer. */
export function answerJson (a: Answer, runtime: string): Record<string, unknown> {
  return {
    answer: a.result.text,
    expert: a.expert == null ? null : { name: a.expert.name, domain: a.expert.domain },
    abstained: a.decision.abstained,
    scores: a.decision.scores.map(s => ({ name: s.name, domain: s.domain, score: Math.round(s.score * 10000) / 10000 })),
    runtime,
    experiences: a.experiences.map(e => ({ cid: e.cid, text: e.text })),
    reason: a.decision.reason,
    retrieved: a.result.retrieved === true,
    forced: a.forced,
    warnings: a.result.warnings
  }
}

export function register (program: Command): void {
  program.command('ask')
    .description('answer a question with the best expert (or say that none covers it)')
    .argument('<question>', 'the question')
    .option('--runtime <kind>', 'retrieval | llama | openai (default: the configured runtime)')
    .option('--model <path|name>', 'llama: base GGUF file; openai: model name')
    .option('--base-url <url>', 'openai: server URL, e.g. http://127.0.0.1:8080/v1')
    .option('--expert <name>', 'use this expert instead of routing')
    .option('--max-tokens <n>', 'longest answer, in tokens')
    .option('--temperature <t>', 'sampling temperature')
    .option('--seed <n>', 'sampling seed')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  baobab ask "my goats are coughing, what should I do?"\n  baobab ask "how deep should I plant maize?" --runtime llama --model base.gguf --json')
    .action(action(async (question: string, opts: AskOptions, cmd: Command) => {
      if (question.trim() === '') throw new UsageError('the question is empty')
      const home = resolveHome(globalOptions(cmd).home)
      const config = loadConfig(home)
      const rc = runtimeConfig(config, opts)
      const node = await createNode({ home, config: { ...config, runtime: rc }, mesh: false, runtime: createRuntime(rc) })
      try {
        await node.refreshExperts()
        const maxTokens = num('--max-tokens', opts.maxTokens, true)
        const temperature = num('--temperature', opts.temperature, false)
        const seed = num('--seed', opts.seed, true)
        const a = await node.ask([{ role: 'user', content: question }], {
          ...(opts.expert != null ? { expert: opts.expert } : {}),
          ...(maxTokens != null ? { maxTokens } : {}),
          ...(temperature != null ? { temperature } : {}),
          ...(seed != null ? { seed } : {})
        })
        const label = `${rc.kind}${rc.model != null ? `:${rc.model.split('/').pop()!}` : ''}`
        emit(cmd, answerJson(a, rc.kind), () => { for (const line of renderAnswer(a, label)) console.log(line) })
      } finally {
        await node.stop()
      }
    }))
}
