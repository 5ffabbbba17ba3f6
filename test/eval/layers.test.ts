/**
 * Where evaluation sits: every evaluation lives in src/eval/, which imports the capabilities it
 * measures and never an interface; the capabilities never import it back.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))
const BELOW = ['artifacts', 'library', 'embedding', 'runtime', 'adapters', 'mesh', 'trust', 'router', 'learn', 'outcomes']
const ABOVE = ['api', 'cli', 'web', 'mcp']

function sources (dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.ts')).map(f => join(dir, f))
}

/** The src/ folder each relative import of a file lands in. */
function importedFolders (file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = relative(SRC, resolve(dirname(file), m[1]!))
    out.push(target.split('/')[0]!)
  }
  return out
}

describe('evaluation layer', () => {
  it('no capability below eval imports it', () => {
    const offenders = BELOW.flatMap(folder => sources(join(SRC, folder)))
      .filter(f => importedFolders(f).includes('eval'))
      .map(f => relative(SRC, f))
    assert.deepEqual(offenders, [])
  })

  it('eval imports no interface (cli, api, web, mcp)', () => {
    const files = sources(join(SRC, 'eval'))
    assert.ok(files.length > 10, `only ${files.length} files under src/eval`)
    const offenders = files.filter(f => importedFolders(f).some(d => ABOVE.includes(d))).map(f => relative(SRC, f))
    assert.deepEqual(offenders, [])
  })

  it('the router, learn and outcomes barrels export no evaluation', () => {
    for (const folder of ['router', 'learn', 'outcomes', 'trust']) {
      const index = readFileSync(join(SRC, folder, 'index.ts'), 'utf8')
      for (const name of ['evaluateRouter', 'tfidfRouter', 'evaluateLearning', 'readEvalResult', 'experienceAbCheck', 'loadParaphrases']) {
        assert.ok(!new RegExp(`\\b${name}\\b`).test(index), `${folder}/index.ts exports ${name}`)
      }
    }
  })
})
