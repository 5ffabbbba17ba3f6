/**
 * `npm run eval -- router`: the router evaluation on the frozen non-agricultural set and the
 * gossip-handshake paraphrases. Prints the tables and writes docs/results/router.json and
 * docs/results/router.md.
 *
 * The gossip-handshake data is not part of the repository; it is looked up in `--data`,
 * `$BAOBAB_EVAL_DATA`, or `shared/data/gossip-handshake` beside the repository root, and the
 * gossip part is skipped with a printed reason when none exists.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { evaluateRouter, renderMarkdown } from '../../eval/index.ts'
import type { RouterEvalReport } from '../../eval/index.ts'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

export interface RouterEvalOptions {
  /** gossip-handshake folder with train/ and eval.jsonl. */
  dataDir?: string
  /** Paraphrase / out-of-domain fixture (default test/fixtures/paraphrases.jsonl). */
  paraphrases?: string
  /** The frozen non-agricultural set (default test/fixtures/router-dev). */
  routerDev?: string
  /** Where router.json and router.md go (default docs/results); null to write nothing. */
  outDir?: string | null
  log?: (line: string) => void
}

export function defaultEvalDataDir (): string {
  return process.env.BAOBAB_EVAL_DATA ?? join(REPO, '..', 'shared', 'data', 'gossip-handshake')
}

export async function runRouterEval (opts: RouterEvalOptions = {}): Promise<RouterEvalReport> {
  const log = opts.log ?? ((line: string) => { console.log(line) })
  const report = await evaluateRouter({
    gossipDir: opts.dataDir ?? defaultEvalDataDir(),
    paraphrases: opts.paraphrases ?? join(REPO, 'test', 'fixtures', 'paraphrases.jsonl'),
    routerDev: opts.routerDev ?? join(REPO, 'test', 'fixtures', 'router-dev')
  })
  const md = renderMarkdown(report)
  log(md)
  for (const s of report.skipped) log(`note: ${s}`)
  const outDir = opts.outDir === undefined ? join(REPO, 'docs', 'results') : opts.outDir
  if (outDir != null) {
    mkdirSync(outDir, { recursive: true })
    writeFileSync(join(outDir, 'router.json'), JSON.stringify(report, null, 2) + '\n')
    writeFileSync(join(outDir, 'router.md'), md + '\n')
    log(`wrote ${join(outDir, 'router.json')} and router.md`)
  }
  return report
}
