/**
 * One runner for every benchmark suite: `npm run bench [-- <suite> ...]`.
 * Each `bench/<suite>.ts` exports `run(): Promise<Record<string, unknown>>`; the runner writes
 * `bench/results/<suite>.json` and a summary table to `bench/README.md`.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

const here = new URL('./', import.meta.url)
const resultsDir = new URL('results/', here)
mkdirSync(resultsDir, { recursive: true })

const available = readdirSync(here)
  .filter(f => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map(f => f.slice(0, -3))
  .sort()

const wanted = process.argv.slice(2).filter(a => !a.startsWith('-'))
for (const w of wanted) {
  if (!available.includes(w)) {
    console.error(`unknown suite "${w}"; available: ${available.join(', ')}`)
    process.exit(2)
  }
}
const suites = wanted.length > 0 ? wanted : available

const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memGiB: Math.round(totalmem() / 2 ** 30) }
let failed = 0
for (const suite of suites) {
  console.log(`\n=== bench: ${suite} ===`)
  const started = Date.now()
  try {
    const mod = await import(new URL(`${suite}.ts`, here).href) as { run: () => Promise<Record<string, unknown>> }
    const figures = await mod.run()
    const result = { suite, date: new Date().toISOString(), machine, durationS: (Date.now() - started) / 1000, ...figures }
    writeFileSync(new URL(`${suite}.json`, resultsDir), JSON.stringify(result, null, 2) + '\n')
    printTable(suite, figures)
  } catch (err) {
    failed++
    console.error(`suite ${suite} failed:`, err)
  }
}
writeSummary()
process.exitCode = failed > 0 ? 1 : 0

function printTable (suite: string, figures: Record<string, unknown>): void {
  const rows = Object.entries(figures).filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
  const w = Math.max(...rows.map(([k]) => k.length), 10)
  console.log(`\n${suite}`)
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${typeof v === 'number' ? fmt(v) : String(v)}`)
  for (const [k, t, v, ok] of targetRows(figures)) console.log(`  target ${k} ${t}: ${v} ${ok}`)
}

/** `targets` of a suite: `{ figure: '≥ 1.5' }`; each row says whether the figure meets it. */
function targetRows (figures: Record<string, unknown>): string[][] {
  const targets = figures.targets
  if (targets == null || typeof targets !== 'object') return []
  return Object.entries(targets as Record<string, string>).map(([k, t]) => {
    const v = figures[k]
    const m = /^\s*(<|≤|>|≥)\s*(-?[\d.]+)/.exec(t)
    let ok = '✗ (not measured)'
    if (typeof v === 'number' && m != null) {
      const x = Number(m[2])
      const met = m[1] === '<' ? v < x : m[1] === '≤' ? v <= x : m[1] === '>' ? v > x : v >= x
      ok = met ? '✓' : '✗'
    }
    return [k, t, typeof v === 'number' ? fmt(v) : String(v ?? '—'), ok]
  })
}

function fmt (v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4)
}

function writeSummary (): void {
  const lines = ['# Benchmarks', '', 'Latest figures from `npm run bench` (one JSON per suite in `results/`). Each suite measures its own baseline in the same run.', '']
  for (const suite of available) {
    const file = new URL(`${suite}.json`, resultsDir)
    if (!existsSync(file)) continue
    const r = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    lines.push(`## ${suite}`, '', `${String(r.date)} — Node ${String((r.machine as { node: string }).node)}, ${String((r.machine as { cpus: number }).cpus)} cores`, '')
    const targets = targetRows(r)
    if (targets.length > 0) {
      lines.push('| target | goal | this run | met |', '|---|---|---|---|')
      for (const row of targets) lines.push(`| ${row.join(' | ')} |`)
      lines.push('')
    }
    lines.push('| figure | value |', '|---|---|')
    for (const [k, v] of Object.entries(r)) {
      if (['suite', 'date', 'machine'].includes(k)) continue
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') lines.push(`| ${k} | ${typeof v === 'number' ? fmt(v) : String(v)} |`)
      else if (Array.isArray(v) && v.every(x => typeof x === 'number')) lines.push(`| ${k} | ${v.map(fmt).join(', ')} |`)
    }
    lines.push('')
  }
  writeFileSync(new URL('README.md', here), lines.join('\n'))
}
