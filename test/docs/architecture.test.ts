/** docs/architecture.md stays true: it names every folder under src/, and every path it names exists. */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'

const root = join(import.meta.dirname, '..', '..')
const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8')
const folders = readdirSync(join(root, 'src'), { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name)

describe('docs/architecture.md', () => {
  it('names every folder under src/ as `src/<folder>/`', () => {
    assert.ok(folders.length > 10, `expected the src folders, found ${folders.join(', ')}`)
    const missing = folders.filter(f => !doc.includes(`src/${f}/`))
    assert.deepEqual(missing, [], `not described in docs/architecture.md: ${missing.join(', ')}`)
  })

  it('names only folders that exist', () => {
    const named = new Set([...doc.matchAll(/\bsrc\/([a-z][a-z0-9-]*)\//g)].map(m => m[1]!))
    const gone = [...named].filter(f => !folders.includes(f))
    assert.deepEqual(gone, [], `docs/architecture.md names folders that do not exist: ${gone.join(', ')}`)
  })

  it('names only source and doc files that exist', () => {
    const paths = [...doc.matchAll(/\b((?:src|docs|test)\/[\w./-]+\.(?:ts|md))\b/g)].map(m => m[1]!)
    assert.ok(paths.length > 10, 'the doc points at files')
    const gone = paths.filter(p => !existsSync(join(root, p)))
    assert.deepEqual(gone, [], `docs/architecture.md names files that do not exist: ${gone.join(', ')}`)
  })

  it('is linked from the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    assert.ok(readme.includes('docs/architecture.md'), 'README.md does not link docs/architecture.md')
  })
})
