/** `baobab outcome publish|from-eval|query|recommend|reproduce`: outcome packets (QIS). */
import { createNode } from '../../node/index.ts'
import { readEvalResult } from '../../eval/index.ts'
import { createOutcomeService } from '../../outcomes/index.ts'
import { hashEmbedder } from '../../embedding/index.ts'
import { loadConfig, resolveHome } from '../config-file.ts'
import { UsageError } from '../errors.ts'
import { action, emit, globalOptions, withContext } from '../context.ts'
import type { NetworkReport, OutcomeContext, OutcomeInput, OutcomeService, QueryResult, RecommendResult } from '../../outcomes/index.ts'
import type { Command } from 'commander'

interface NetOptions { local?: boolean, timeout?: string }

/**
 * Runs `fn` with an OutcomeService: the node's (mesh and DHT running; with no peers it answers from
 * the library at once) or a local one with --local.
 */
async function withOutcomes<T> (cmd: Command, opts: NetOptions, fn: (svc: OutcomeService, local: boolean) => Promise<T>): Promise<T> {
  if (opts.local === true) {
    return withContext(cmd, async ctx => {
      // the same embedder the node gives its outcome service: built-in, never fitted
      const svc = createOutcomeService({ library: ctx.library, privateKey: ctx.identity.privateKey, embedder: hashEmbedder() })
      return fn(svc, true)
    })
  }
  const home = resolveHome(globalOptions(cmd).home)
  const node = await createNode({ home, config: loadConfig(home) })
  try {
    await node.start()
    return await fn(node.outcomes, false)
  } finally {
    await node.stop()
  }
}

/** The network part's time limit in ms (--timeout, seconds). */
function networkMs (opts: NetOptions): number {
  const s = Number(opts.timeout ?? '5')
  if (!Number.isFinite(s) || s <= 0) throw new UsageError('--timeout must be a positive number of seconds')
  return s * 1000
}

/** One line on what the network part reached. */
export function describeNetwork (n: NetworkReport): string {
  const peers = n.peers != null ? `${n.peers} connected peer${n.peers === 1 ? '' : 's'}` : 'peers unknown'
  if (n.skipped != null) return `network: ${n.skipped} (${peers})`
  const unreachable = n.unreachable.length > 0 ? `, could not reach ${n.unreachable.length}: ${n.unreachable.slice(0, 3).map(short).join(' ')}${n.unreachable.length > 3 ? ' …' : ''}` : ''
  return `network: asked ${n.asked} DHT peer${n.asked === 1 ? '' : 's'} (${peers})${unreachable}${n.timedOut ? '; stopped at the time limit, the rest from the library' : ''}`
}

function num (name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || Number.isNaN(n)) throw new UsageError(`${name} must be a number (got "${value}")`)
  return n
}

function contextFrom (o: { family: string, task: string, tags?: string }): OutcomeContext {
  return { family: o.family, task: o.task, tags: (o.tags ?? '').split(',').map(t => t.trim()).filter(t => t !== '') }
}

function short (id: string): string {
  return id.length > 16 ? `…${id.slice(-8)}` : id
}

function printWarnings (warnings: string[]): void {
  for (const w of warnings) console.error(`warning: ${w}`)
}

function printMatches (r: QueryResult): void {
  if (r.matches.length === 0) console.log('no matching outcome packets')
  for (const m of r.matches) {
    const b = m.body
    console.log(`${m.match.padEnd(5)} sim ${m.similarity.toFixed(2)}  Δ ${b.delta >= 0 ? '+' : ''}${b.delta.toFixed(4)} ${b.benchmark} n=${b.nEval}  ${b.method} ${JSON.stringify(b.params)}  "${b.task}" [${b.tags.join(',')}]  by ${m.own ? 'me' : short(m.author)}  ${m.cid}`)
  }
  for (const p of r.rejected) console.error(`refused ${p.cid ?? p.key}: ${p.error}${p.message != null ? ` (${p.message})` : ''}`)
}

function signed (x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(4)}`
}

/** Each recommended setting with the packets behind it (the same synthesis as the dashboard's). */
function printRecommendation (r: RecommendResult): void {
  if (r.method == null) console.log('no recommendation')
  const d = r.expectedDelta
  for (const s of r.explained) {
    const head = s.setting === 'method' ? `method ${String(s.value)}` : `  ${s.setting} = ${String(s.value)}`
    const delta = s.setting === 'method' && d != null ? ` — expected delta ${signed(d.mean)} (95% interval ${signed(d.low)} … ${signed(d.high)}, ${d.nEff.toFixed(1)} effective packets)` : ''
    console.log(`${head}${delta}  [${s.basis}]`)
    const pad = s.setting === 'method' ? '  ' : '    '
    for (const c of s.evidence) {
      const value = s.setting === 'method' ? '' : `${s.setting}=${String(c.value)} `
      console.log(`${pad}${c.cid} by ${c.own ? 'me' : short(c.author)}: ${value}Δ ${signed(c.delta)} n=${c.nEval} ${c.reproduced === 'not yet' ? 'not reproduced yet' : c.reproduced}  (weight ${c.weight.toFixed(3)})`)
    }
    for (const c of s.against) console.log(`${pad}against: ${c.cid} by ${c.own ? 'me' : short(c.author)}: ${s.setting}=${String(c.value)} Δ ${signed(c.delta)} n=${c.nEval}`)
  }
  console.log(`evidence: ${r.evidence.length} packets from ${r.authors.length} authors`)
  printWarnings(r.warnings)
}

function netOptions (c: Command): Command {
  return c
    .option('--local', 'this library only: no mesh, no DHT')
    .option('--timeout <seconds>', 'time for the network part; the answer then comes from the library', '5')
    .option('--json', 'print JSON')
}

interface PublishFlags extends NetOptions {
  family: string, task: string, tags: string, benchmark: string, baseline: string, score: string, delta?: string,
  method: string, params?: string, nEval: string, confidence: string, dataScale?: string, heldOut: boolean, shorten: boolean
}

export function register (program: Command): void {
  const out = program.command('outcome').description('outcome packets: publish what a fine-tune achieved, find and synthesise others\' results')

  netOptions(out.command('publish')
    .description('sign, store and publish an outcome packet (≤ 512 bytes)')
    .requiredOption('--family <family>', 'base model family, e.g. qwen2.5-0.5b')
    .requiredOption('--task <task>', 'task, e.g. "clinical note summarisation"')
    .requiredOption('--tags <a,b,c>', 'domain tags, comma-separated (≤ 6)')
    .requiredOption('--benchmark <name>', 'benchmark or metric, e.g. rouge-l')
    .requiredOption('--baseline <x>', 'score before fine-tuning')
    .requiredOption('--score <y>', 'score after fine-tuning')
    .option('--delta <d>', 'score − baseline (checked when given)')
    .requiredOption('--method <m>', 'method, e.g. lora, qlora, full, dpo (aliases folded)')
    .option('--params <json>', 'key hyperparameters as a JSON object of scalars (≤ 8)', '{}')
    .requiredOption('--n-eval <n>', 'number of evaluation items')
    .requiredOption('--confidence <c>', 'confidence 0..1')
    .option('--data-scale <bucket>', 'training data size: xs <100, s <1k, m <10k, l <100k, xl')
    .option('--no-held-out', 'the evaluation was not on held-out data')
    .option('--no-shorten', 'fail instead of dropping optional tags/params to fit 512 bytes')
    .addHelpText('after', '\nExample:\n  baobab outcome publish --family qwen2.5-0.5b --task "clinical note summarisation" --tags medical,english \\\n    --benchmark rouge-l --baseline 0.312 --score 0.371 --method LoRA --params \'{"r":16,"lr":2e-4}\' --n-eval 500 --confidence 0.9 --data-scale m'))
    .action(action(async (o: PublishFlags, cmd: Command) => {
      const input: OutcomeInput = {
        family: o.family, task: o.task, tags: o.tags, benchmark: o.benchmark,
        baseline: num('--baseline', o.baseline)!, score: num('--score', o.score)!, delta: num('--delta', o.delta),
        method: o.method, params: o.params, nEval: num('--n-eval', o.nEval)!, confidence: num('--confidence', o.confidence)!,
        dataScale: o.dataScale as OutcomeInput['dataScale'], heldOut: o.heldOut
      }
      await publish(cmd, o, input, o.shorten)
    }))

  netOptions(out.command('from-eval <file>')
    .description('publish a packet from a Baobab eval-result JSON file (baobab-eval-result/1)')
    .option('--no-shorten', 'fail instead of dropping optional tags/params to fit 512 bytes'))
    .action(action(async (file: string, o: NetOptions & { shorten: boolean }, cmd: Command) => {
      await publish(cmd, o, await readEvalResult(file), o.shorten)
    }))

  netOptions(out.command('query')
    .description('find outcome packets for a context: exact fingerprint first, then near (LSH) matches')
    .requiredOption('--family <family>', 'base model family')
    .requiredOption('--task <task>', 'task')
    .option('--tags <a,b,c>', 'domain tags', '')
    .option('--min-similarity <s>', 'drop near matches below this cosine similarity', '0.35'))
    .action(action(async (o: NetOptions & { family: string, task: string, tags: string, minSimilarity: string }, cmd: Command) => {
      await withOutcomes(cmd, o, async (svc, local) => {
        const r = await svc.query(contextFrom(o), { local, networkMs: networkMs(o), minSimilarity: num('--min-similarity', o.minSimilarity) })
        emit(cmd, r, () => { printMatches(r); console.error(describeNetwork(r.network)) })
      })
    }))

  netOptions(out.command('recommend')
    .description('synthesise a recommendation (method, params, expected delta) with its evidence')
    .requiredOption('--family <family>', 'base model family')
    .requiredOption('--task <task>', 'task')
    .option('--tags <a,b,c>', 'domain tags', '')
    .option('--data-scale <bucket>', 'your training data size bucket (weights packets of other sizes down)'))
    .action(action(async (o: NetOptions & { family: string, task: string, tags: string, dataScale?: string }, cmd: Command) => {
      if (o.dataScale != null && !['xs', 's', 'm', 'l', 'xl'].includes(o.dataScale)) throw new UsageError('--data-scale must be one of xs, s, m, l, xl')
      await withOutcomes(cmd, o, async (svc, local) => {
        const r = await svc.recommend(contextFrom(o), { local, networkMs: networkMs(o), dataScale: o.dataScale as OutcomeInput['dataScale'] })
        emit(cmd, r, () => { printRecommendation(r); console.error(describeNetwork(r.query.network)) })
      })
    }))

  netOptions(out.command('reproduce <cid>')
    .description('publish a signed reproduction: the delta you measured re-running packet <cid>')
    .requiredOption('--measured <delta>', 'the delta you measured')
    .requiredOption('--n <n>', 'number of evaluation items'))
    .action(action(async (cid: string, o: NetOptions & { measured: string, n: string }, cmd: Command) => {
      await withOutcomes(cmd, o, async (svc, local) => {
        const r = await svc.reproduce(cid, num('--measured', o.measured)!, num('--n', o.n)!, { local, networkMs: networkMs(o) })
        emit(cmd, r, () => {
          console.log(`reproduction ${r.cid} of ${r.target}: ${r.verdict} (${r.bytes} bytes)${r.dht != null ? `, stored on ${r.dht.stored} peer responses over ${r.dht.keys} keys` : ''}`)
          console.error(describeNetwork(r.network))
          printWarnings(r.warnings)
        })
      })
    }))
}

async function publish (cmd: Command, o: NetOptions, input: OutcomeInput, shorten: boolean): Promise<void> {
  await withOutcomes(cmd, o, async (svc, local) => {
    const r = await svc.publish(input, { local, shorten, networkMs: networkMs(o) })
    emit(cmd, r, () => {
      console.log(`published outcome ${r.cid} (${r.bytes} bytes) under ${r.keys.length} keys${r.dht != null ? `; ${r.dht.stored} peer acknowledgements, ${r.dht.failed} failures` : ' (local only)'}${r.pending > 0 ? `; ${r.pending} keys wait for peers` : ''}`)
      console.error(describeNetwork(r.network))
      printWarnings(r.warnings)
    })
  })
}
