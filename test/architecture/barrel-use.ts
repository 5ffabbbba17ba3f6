/**
 * Which barrel exports are used, and by whom. A name is kept when a file outside the barrel's
 * folder (src/, bench/, sim/) imports it, when it is an error class, or when it is a type that
 * a kept export's signature names, or when the barrel's doc header presents it. `src/node/index.ts` is the package entry: all of it is kept.
 * Run `node test/architecture/barrel-use.ts` for the table.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BARRELS, ROOT, barrelExports, folderOf, importsOf, listTs } from './imports.ts'
import type { BarrelExport, ImportEdge } from './imports.ts'

export const PACKAGE_ENTRY = 'src/node/index.ts'

export interface ExportUse extends BarrelExport {
  barrel: string
  /** Files outside the folder (src, bench, sim) that import it. */
  users: string[]
  /** Test files that import it from the barrel. */
  tests: string[]
  keep: boolean
  why: 'entry' | 'used' | 'documented' | 'error' | 'signature' | 'local' | 'unused'
}

const takes = (e: ImportEdge, name: string): boolean => e.names === '*' || e.names.includes(name)

function countWord (text: string, word: string): number {
  return text.match(new RegExp(`\\b${word}\\b`, 'g'))?.length ?? 0
}

/** Names the barrel's doc header presents in backticks (`createRuntime(…)`, `Router`). */
const headers = new Map<string, Set<string>>()
function documented (barrel: string): Set<string> {
  const hit = headers.get(barrel)
  if (hit != null) return hit
  const header = /^\/\*\*[\s\S]*?\*\//.exec(readFileSync(join(ROOT, barrel), 'utf8'))?.[0] ?? ''
  const names = new Set([...header.matchAll(/`(?:new )?([A-Za-z_$][\w$]*)/g)].map(m => m[1] as string))
  headers.set(barrel, names)
  return names
}

export function barrelUse (): ExportUse[] {
  const edges = [...listTs('src'), ...listTs('bench'), ...listTs('sim'), ...listTs('test')].flatMap(importsOf)
  const rows: ExportUse[] = []
  for (const barrel of BARRELS()) {
    const folder = folderOf(barrel)
    for (const x of barrelExports(barrel)) {
      const into = edges.filter(e => e.to === barrel && takes(e, x.name))
      // A file of another folder reaching past the barrel (a listed exception) needs the name public too.
      const past = edges.filter(e => e.to === x.source && x.source !== barrel && folderOf(e.from) !== undefined &&
        folderOf(e.from) !== folder && takes(e, x.name))
      const users = [...into, ...past].filter(e => !e.from.startsWith('test/') && folderOf(e.from) !== folder).map(e => e.from)
      const tests = into.filter(e => e.from.startsWith('test/')).map(e => e.from)
      rows.push({ ...x, barrel, users, tests, keep: true, why: 'used' })
    }
  }
  // Fixpoint: a re-export in a pruned row does not keep the name it passes on.
  const texts = new Map<string, string>()
  const text = (f: string): string => texts.get(f) ?? texts.set(f, readFileSync(join(ROOT, f), 'utf8')).get(f) as string
  for (let changed = true; changed;) {
    changed = false
    for (const r of rows) {
      const liveUsers = r.users.filter(u => {
        const via = rows.filter(o => o.barrel === u && o.source === r.barrel && o.name === r.name)
        return via.length === 0 || via.some(o => o.keep)
      })
      let why: ExportUse['why']
      if (r.barrel === PACKAGE_ENTRY) why = 'entry'
      else if (r.source === r.barrel) why = 'local'
      else if (liveUsers.length > 0) why = 'used'
      else if (documented(r.barrel).has(r.name)) why = 'documented'
      else if (!r.typeOnly && r.name.endsWith('Error')) why = 'error'
      else if (r.typeOnly && rows.some(o => o !== r && o.barrel === r.barrel && o.keep && o.why !== 'signature' &&
        countWord(text(o.source), r.name) > (o.source === r.source ? 1 : 0))) why = 'signature'
      else why = 'unused'
      const keep = why !== 'unused'
      if (keep !== r.keep || why !== r.why) { changed = changed || keep !== r.keep; r.keep = keep; r.why = why }
    }
  }
  return rows
}

if (import.meta.main) {
  const rows = barrelUse()
  for (const barrel of BARRELS()) {
    const mine = rows.filter(r => r.barrel === barrel)
    console.log(`\n${barrel}: ${mine.length} exports, ${mine.filter(r => r.keep).length} kept`)
    for (const r of mine) {
      console.log(`  ${r.keep ? 'keep' : 'DROP'} ${r.name} (${r.why}) <- ${r.users.join(', ') || '-'}${r.tests.length > 0 ? ` | tests: ${r.tests.length}` : ''}`)
    }
  }
}
