/**
 * `baobab eval [all|router|recall]` (`npm run eval -- <name>`): the evaluations, written to
 * docs/results/. The gossip-handshake data is found with `--data`, `$BAOBAB_EVAL_DATA`, or
 * `shared/data/gossip-handshake` beside the repository (one default, in eval-router.ts); without
 * it each evaluation prints why it skipped and exits 0.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MERGE_METHODS } from '../../adapters/index.ts'
import { missingDataReason, recallOutcomeFile, renderRecallMarkdown, resolveModel, runRecallEval } from '../../eval/index.ts'
import { createNode } from '../../node/index.ts'
import { UsageError } from '../errors.ts'
import { action, progressBar, wantsJson } from '../context.ts'
import { defaultEvalDataDir, runRouterEval } from './eval-router.ts'
import type { MergeMethod } from '../../adapters/index.ts'
import type { RuntimeConfig } from '../../config.ts'
import type { RecallEvalOptions, RecallReport } from '../../eval/index.ts'
import type { Command } from 'commander'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const RESULTS = join(REPO, 'docs', 'results')

interface RecallFlags {
  data: string
  runtime: string
  model?: string
  baseUrl?: string
  apiKey?: string
  set: string
  lora?: string
  merge: string
  maxTokens?: string
  temperature?: string
  seed: string
  out: string
  write: boolean
  outcome?: string
  answers?: boolean
  json?: boolean
}

function number (flag: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value == null) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} ${value} is not valid`)
  return n
}

function runtimeConfig (o: RecallFlags): RuntimeConfig {
  if (o.runtime === 'retrieval') return { kind: 'retrieval' }
  if (o.runtime === 'llama') {
    const model = resolveModel(o.model)
    if (model == null) throw new UsageError('--runtime llama needs --model <gguf> ("tiny" = the bundled tiny model)')
    return { kind: 'llama', model, poolSize: 8, contextSize: 1024 }
  }
  if (o.runtime === 'openai') {
    if (o.baseUrl == null || o.model == null) throw new UsageError('--runtime openai needs --base-url <url> and --model <name>')
    return { kind: 'openai', baseUrl: o.baseUrl, model: o.model, ...(o.apiKey != null ? { apiKey: o.apiKey } : {}) }
  }
  throw new UsageError(`--runtime must be retrieval, llama or openai (got ${o.runtime})`)
}

/** recall.json for the default run; recall-<runtime>[-<set>].json for others, so runs do not overwrite each other. */
function outputName (o: RecallFlags): string {
  return ['recall', ...(o.runtime !== 'retrieval' ? [o.runtime] : []), ...(o.set !== 'all' ? [o.set] : [])].join('-')
}

async function recall (o: RecallFlags, cmd: Command | undefined): Promise<void> {
  const json = cmd != null && wantsJson(cmd)
  const log = (line: string): void => { if (json) console.error(line); else console.log(line) }
  const skip = missingDataReason(o.data)
  if (skip != null) {
    if (json) console.log(JSON.stringify({ skipped: skip }))
    else log(`eval recall: skipped: ${skip}`)
    return
  }
  if (o.set.trim() === '') throw new UsageError('--set must be clean, overlap or all')
  if (!(MERGE_METHODS as readonly string[]).includes(o.merge)) throw new UsageError(`--merge must be one of ${MERGE_METHODS.join(', ')}`)
  const runtime = runtimeConfig(o)
  const model = runtime.kind !== 'retrieval'
  const controller = new AbortController()
  const onSigint = (): void => { controller.abort(new Error('interrupted')) }
  process.once('SIGINT', onSigint)
  let bar: ReturnType<typeof progressBar> | undefined
  const options: RecallEvalOptions = {
    dataDir: o.data,
    makeNode: createNode,
    runtime,
    ...(o.set !== 'all' ? { sets: [o.set] } : {}),
    ...(o.lora != null ? { lora: o.lora } : {}),
    mergeMethod: o.merge as MergeMethod,
    // upstream sampled at temperature 0.3 with at most 300 new tokens
    ...(model ? { maxTokens: number('--max-tokens', o.maxTokens ?? '300', n => Number.isInteger(n) && n > 0) } : {}),
    ...(model ? { temperature: number('--temperature', o.temperature ?? '0.3', n => n >= 0) } : {}),
    ...(model ? { seed: number('--seed', o.seed, n => Number.isInteger(n)) } : {}),
    keepAnswers: o.answers === true,
    signal: controller.signal,
    onProgress: e => {
      bar ??= progressBar(cmd, 'answering', e.total)
      bar.update(e.done)
    }
  }
  let report: RecallReport
  try {
    const r = await runRecallEval(options)
    if ('skipped' in r) { log(`eval recall: skipped: ${r.skipped}`); return }
    report = r
  } finally {
    bar?.stop()
    process.off('SIGINT', onSigint)
  }
  const md = renderRecallMarkdown(report)
  if (json) console.log(JSON.stringify(report, null, 2))
  else log(md)
  if (o.write) {
    mkdirSync(o.out, { recursive: true })
    const name = outputName(o)
    writeFileSync(join(o.out, `${name}.json`), JSON.stringify(report, null, 2) + '\n')
    writeFileSync(join(o.out, `${name}.md`), md + '\n')
    log(`wrote ${join(o.out, `${name}.json`)} and ${name}.md`)
  }
  if (o.outcome != null) {
    writeFileSync(o.outcome, JSON.stringify(recallOutcomeFile(report), null, 2) + '\n')
    log(`wrote ${o.outcome} (baobab-eval-result/1: publish it with \`baobab outcome from-eval ${o.outcome}\`)`)
  }
}

async function router (o: { data: string, out: string, write: boolean }, cmd: Command | undefined): Promise<void> {
  const json = cmd != null && wantsJson(cmd)
  const log = (line: string): void => { if (json) console.error(line); else console.log(line) }
  const skip = missingDataReason(o.data)
  if (skip != null) log(`eval router: gossip-handshake part skipped: ${skip}; docs/results/router.* left as they are`)
  const report = await runRouterEval({ dataDir: o.data, outDir: o.write && skip == null ? o.out : null, log })
  if (json) console.log(JSON.stringify(report, null, 2))
}

export function register (program: Command): void {
  const ev = program.command('eval')
    .description('evaluations on the gossip-handshake data: router accuracy and keyword recall (skipped, exit 0, when the data is absent)')

  ev.command('all', { isDefault: true })
    .description('run every evaluation with its defaults (router, then recall on the retrieval runtime)')
    .option('--data <dir>', 'gossip-handshake folder (eval.jsonl, train/, results.json)', defaultEvalDataDir())
    .option('--out <dir>', 'where the results go', RESULTS)
    .action(action(async (o: { data: string, out: string }, cmd: Command) => {
      await router({ data: o.data, out: o.out, write: true }, cmd)
      await recall({ data: o.data, out: o.out, write: true, runtime: 'retrieval', set: 'all', merge: 'ties', seed: '42' }, cmd)
    }))

  ev.command('router')
    .description('router accuracy per set and domain, paraphrases and out-of-domain abstention, TF-IDF baseline')
    .option('--data <dir>', 'gossip-handshake folder', defaultEvalDataDir())
    .option('--out <dir>', 'where router.json and router.md go', RESULTS)
    .option('--no-write', 'print only')
    .option('--json', 'print the report as JSON (tables go to stderr)')
    .action(action(async (o: { data: string, out: string, write: boolean }, cmd: Command) => { await router(o, cmd) }))

  ev.command('recall')
    .description('keyword recall end to end through a node: routed experts vs one pooled expert vs no expert (and routed vs ΔW-merged LoRAs with --runtime llama)')
    .option('--data <dir>', 'gossip-handshake folder', defaultEvalDataDir())
    .option('--runtime <kind>', 'retrieval | llama | openai', 'retrieval')
    .option('--model <gguf|name>', 'llama: base GGUF ("tiny" = bundled tiny model); openai: model name')
    .option('--base-url <url>', 'openai: OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1')
    .option('--api-key <key>', 'openai: bearer token')
    .option('--set <set>', 'clean | overlap | all', 'all')
    .option('--lora <dir|synthetic|none>', 'llama: per-domain LoRAs (<domain>.gguf in a folder); default synthetic with the tiny model')
    .option('--merge <method>', `ΔW merge of the LoRAs: ${MERGE_METHODS.join(' | ')}`, 'ties')
    .option('--max-tokens <n>', 'model runtimes: tokens per answer (default 300, as upstream)')
    .option('--temperature <t>', 'model runtimes: sampling temperature (default 0.3, as upstream)')
    .option('--seed <n>', 'model runtimes: sampling seed', '42')
    .option('--out <dir>', 'where recall.json and recall.md go', RESULTS)
    .option('--no-write', 'print only')
    .option('--outcome <file>', 'also write a baobab-eval-result/1 file for `baobab outcome from-eval`')
    .option('--answers', 'keep answer texts in the JSON (off by default: the data\'s licence is unclear)')
    .option('--json', 'print the report as JSON (tables go to stderr)')
    .addHelpText('after', '\nExamples:\n  npm run eval -- recall\n  npm run eval -- recall --set clean --outcome recall-outcome.json\n  npm run eval -- recall --runtime llama --model tiny')
    .action(action(async (o: RecallFlags, cmd: Command) => { await recall(o, cmd) }))
}
