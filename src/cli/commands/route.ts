/**
 * `baobab route "<question>"`, `baobab route --file questions.jsonl --json` and
 * `baobab route feedback`: which expert would answer, with scores, or why none would.
 *
 * Batch output (stable contract): one line per question,
 * `{"question","choice":{"name","domain"}|null,"abstained":bool,"scores":[{"name","domain","score"}]}`,
 * scores best first.
 */
import { readFile } from 'node:fs/promises'
import { routeConversation, syncRouterExperts, trustedExperts } from '../../node/index.ts'
import { createEmbedder } from '../../embedding/index.ts'
import { InvalidQuestionsFileError, parseQuestions, Router } from '../../router/index.ts'
import { ExpertNotFoundError } from '../../router/index.ts'
import { UsageError } from '../errors.ts'
import { action, emit, wantsJson, withContext } from '../context.ts'
import { bold, dim, green, scoreBars, yellow } from '../demo/render.ts'
import type { CliContext } from '../context.ts'
import type { RouteDecision } from '../../router/index.ts'
import type { Command } from 'commander'

export interface RouteLine {
  question: string
  choice: { name: string, domain: string } | null
  abstained: boolean
  scores: Array<{ name: string, domain: string, score: number }>
}

const round = (x: number): number => Math.round(x * 10000) / 10000

/** The stable per-question JSON shape. */
export function routeLine (question: string, d: RouteDecision): RouteLine {
  return {
    question,
    choice: d.choice == null ? null : { name: d.choice.name, domain: d.choice.domain },
    abstained: d.abstained,
    scores: d.scores.map(s => ({ name: s.name, domain: s.domain, score: round(s.score) }))
  }
}

/** A router holding the library's trusted experts (knowledge cards and adapters). */
export async function libraryRouter (ctx: CliContext, signal?: AbortSignal): Promise<Router> {
  const router = new Router({ embedder: await createEmbedder(ctx.config.embedder), db: ctx.library.db })
  await syncRouterExperts(ctx.library, router, signal == null ? {} : { signal })
  return router
}

function human (question: string, d: RouteDecision): void {
  console.log(`${bold('question')} ${question}`)
  console.log(d.choice != null
    ? `${bold('expert')}   ${green(d.choice.name)} (${d.choice.domain})`
    : `${bold('expert')}   ${yellow('none — abstained')}`)
  for (const line of scoreBars(d.scores.map(s => ({ name: s.name, score: s.score })), d.threshold, d.choice?.name ?? null)) console.log(`         ${line}`)
  console.log(`${bold('why')}      ${d.reason}`)
  for (const x of d.topExemplars.slice(0, 3)) console.log(dim(`         ${x.score.toFixed(3)} ${x.name}: ${x.q}`))
}

/**
 * One question; `after` are earlier user turns of the conversation (oldest first). As in the API's
 * `baobab.turns`, `turns` are indices into the conversation (`after`, then the question) of the
 * turns that decided, the question first.
 */
async function routeOne (cmd: Command, question: string, after: string[]): Promise<void> {
  await withContext(cmd, async ctx => {
    const router = await libraryRouter(ctx)
    const messages = [...after, question].map(content => ({ role: 'user' as const, content }))
    const { decision: d, turns } = await routeConversation(router, messages)
    const { fingerprint: _, ...calibration } = await router.calibrate()
    emit(cmd, {
      ...routeLine(question, d),
      reason: d.reason, reasonCode: d.reasonCode, threshold: round(d.threshold), topExemplars: d.topExemplars, turns, calibration
    }, () => {
      human(question, d)
      if (turns.length > 1) console.log(dim(`         decided with ${turns.length - 1} earlier turn(s) as context`))
      console.log(dim(`         calibrated on ${calibration.n} held-out exemplar questions and ${calibration.generalQuestions} everyday ones ` +
        `(${Math.round(calibration.generalAbstained * 100)}% of those abstain); threshold ${calibration.threshold.toFixed(3)}`))
    })
  })
}

async function routeFile (cmd: Command, file: string): Promise<void> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new InvalidQuestionsFileError(file, [], `${file}: cannot read (${(err as Error).message})`, { cause: err })
  }
  const questions = parseQuestions(text, file)
  await withContext(cmd, async ctx => {
    const router = await libraryRouter(ctx)
    for (const q of questions) {
      const d = await router.route(q)
      if (wantsJson(cmd)) process.stdout.write(JSON.stringify(routeLine(q, d)) + '\n')
      else console.log(`${d.choice == null ? yellow('(abstain)') : green(d.choice.name)}\t${d.scores[0]?.score.toFixed(3) ?? '-'}\t${q}`)
    }
  })
}

export function register (program: Command): void {
  const route = program.command('route')
    .description('show which expert would answer a question (or why none would)')
    .argument('[question]', 'the question')
    .option('--file <questions.jsonl>', 'route every {"question": ...} line of a JSONL file')
    .option('--after <turn>', 'an earlier user turn of the conversation, oldest first (repeatable): a follow-up is routed with them as context', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print JSON (with --file: one JSON object per line)')
    .addHelpText('after', '\nExamples:\n  baobab route "my goats are coughing, what should I do?"\n  baobab route --after "my goats are coughing" "about a week, and one has a runny nose" --json\n  baobab route --file questions.jsonl --json')
    .action(action(async (question: string | undefined, opts: { file?: string, after: string[] }, cmd: Command) => {
      if (opts.file != null && question != null) throw new UsageError('give a question or --file, not both')
      if (opts.file != null) await routeFile(cmd, opts.file)
      else if (question != null) await routeOne(cmd, question, opts.after)
      else throw new UsageError('give a question, or --file <questions.jsonl>')
    }))

  route.command('feedback')
    .description('correct the router: this question belongs to an expert (--expert) or to none (--none)')
    .argument('<question>', 'the question')
    .option('--expert <name>', 'the expert that should answer it')
    .option('--none', 'no expert should answer it')
    .option('--json', 'print JSON')
    .action(action(async (question: string, opts: { expert?: string, none?: boolean }, cmd: Command) => {
      if ((opts.expert == null) === (opts.none !== true)) throw new UsageError('give exactly one of --expert <name> or --none')
      await withContext(cmd, async ctx => {
        const expert = opts.expert == null ? null : trustedExperts(ctx.library).find(e => e.name === opts.expert)
        if (opts.expert != null && expert == null) throw new ExpertNotFoundError(opts.expert, `no trusted expert named "${opts.expert}"`)
        const router = await libraryRouter(ctx)
        const r = await router.feedback({ question, expertId: expert?.cid ?? null })
        const after = await router.route(question)
        emit(cmd, {
          id: r.id, applied: r.applied, question,
          expert: expert == null ? null : { name: expert.name, domain: expert.domain },
          now: routeLine(question, after)
        }, () => {
          console.log(`${green('recorded')} ${r.applied === 'exemplar' ? `"${question}" → ${expert!.name}` : `"${question}" → no expert`}`)
          console.log(`now: ${after.choice == null ? 'abstains' : `routes to ${after.choice.name}`} (${after.reason})`)
        })
      })
    }))
}
