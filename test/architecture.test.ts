/**
 * The shape of the source tree (STYLE.md §1), read from the files alone: folders meet only at
 * their `index.ts`, layers import only downward, files stay small, and barrels export only what
 * another folder uses.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { barrelUse } from './architecture/barrel-use.ts'
import { ROOT, folderOf, importsOf, listTs } from './architecture/imports.ts'

/** Layer of each top-level folder under src/ (`.` is src/config.ts, the config types). */
const RANK: Record<string, number> = {
  '.': 0, artifacts: 0, errors: 0, limits: 0, random: 0, injection: 1,
  library: 1, runtime: 1, adapters: 1, embedding: 1,
  mesh: 2, trust: 2, router: 2, learn: 2, outcomes: 2,
  eval: 3,
  node: 4,
  api: 5, cli: 5, web: 5, mcp: 5
}

/** `from -> to` file imports that may reach past a folder's index.ts, each with its reason. */
const PAST_INDEX: Record<string, string> = {}

/** `folder -> folder` imports that go up a layer, each with its reason. */
const UPWARD: Record<string, string> = {}

const MAX_LINES = 300

const srcEdges = (): ReturnType<typeof importsOf> => listTs('src').flatMap(importsOf)
const isIndex = (file: string): boolean => /^src\/[^/]+\/index\.ts$/.test(file)

describe('architecture', () => {
  it('imports between folders go through index.ts', () => {
    const bad = srcEdges()
      .filter(e => folderOf(e.from) !== folderOf(e.to) && !isIndex(e.to) && folderOf(e.to) !== '.')
      .map(e => `${e.from} -> ${e.to}`)
      .filter(k => PAST_INDEX[k] == null)
    assert.deepEqual([...new Set(bad)], [], 'import the other folder\'s index.ts instead')
  })

  it('layers import only downward, with no cycle among folders of one layer', () => {
    const folders = new Set<string>()
    const links = new Map<string, Set<string>>()
    const problems: string[] = []
    for (const e of srcEdges()) {
      const a = folderOf(e.from) as string
      const b = folderOf(e.to) as string
      folders.add(a)
      folders.add(b)
      if (a === b) continue
      const ra = RANK[a]
      const rb = RANK[b]
      if (ra == null || rb == null) continue
      if (rb > ra && UPWARD[`${a} -> ${b}`] == null) problems.push(`${e.from}:${e.line} (${a}, layer ${ra}) imports ${b} (layer ${rb})`)
      if (rb === ra) links.set(a, (links.get(a) ?? new Set()).add(b))
    }
    for (const f of folders) if (RANK[f] == null) problems.push(`src/${f}/ has no layer: add it to RANK`)
    for (const cycle of cycles(links)) problems.push(`same-layer cycle: ${cycle.join(' -> ')}`)
    assert.deepEqual(problems, [])
  })

  it(`no file in src/ is over ${MAX_LINES} lines`, () => {
    const long = listTs('src')
      .map(f => ({ f, n: readFileSync(join(ROOT, f), 'utf8').replace(/\n$/, '').split('\n').length }))
      .filter(x => x.n > MAX_LINES)
      .map(x => `${x.f}: ${x.n} lines`)
    assert.deepEqual(long, [])
  })

  it('every barrel export is used outside its folder, is an error, a signature type or the package entry', () => {
    const unused = barrelUse().filter(r => !r.keep).map(r => `${r.barrel}: ${r.name}`)
    assert.deepEqual(unused, [], 'drop these from the barrel; tests import them from their defining file')
  })

  it('the exceptions above still exist', () => {
    const edges = srcEdges()
    const pairs = new Set(edges.map(e => `${e.from} -> ${e.to}`))
    const folderPairs = new Set(edges.map(e => `${folderOf(e.from)} -> ${folderOf(e.to)}`))
    const stale = [
      ...Object.keys(PAST_INDEX).filter(k => !pairs.has(k)),
      ...Object.keys(UPWARD).filter(k => !folderPairs.has(k))
    ]
    assert.deepEqual(stale, [], 'remove these from the exception lists')
  })
})

/** Each cycle in a directed graph once, as a path that returns to its start. */
function cycles (links: Map<string, Set<string>>): string[][] {
  const found = new Map<string, string[]>()
  const walk = (start: string, at: string, path: string[]): void => {
    for (const next of links.get(at) ?? []) {
      if (next === start) {
        const key = [...path].sort().join(',')
        if (!found.has(key)) found.set(key, [...path, start])
      } else if (!path.includes(next) && next > start) {
        walk(start, next, [...path, next])
      }
    }
  }
  for (const start of links.keys()) walk(start, start, [start])
  return [...found.values()]
}
