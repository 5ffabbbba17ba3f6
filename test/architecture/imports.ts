/**
 * Reads the import graph of src/, bench/, sim/ and test/ from the files alone (TypeScript's
 * parser, no type checking): who imports which names from which file, and what each folder's
 * `index.ts` exports. Used by test/architecture.test.ts and by `node test/architecture/report.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

export const ROOT = resolve(import.meta.dirname, '../..')

export interface ImportEdge {
  /** Importing file, relative to the repository root. */
  from: string
  /** Imported file, relative to the repository root (relative specifiers only). */
  to: string
  /** Names taken, or `'*'` for a namespace import, `export *` or an unresolved dynamic import. */
  names: string[] | '*'
  /** Whole statement is `import type` / `export type`. */
  typeOnly: boolean
  /** An `export … from`: the importing file passes the names on. */
  reexport: boolean
  line: number
}

export interface BarrelExport {
  name: string
  /** File that defines it (the barrel itself for a local declaration). */
  source: string
  typeOnly: boolean
}

export function listTs (dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'static' && e.name !== 'helia') walk(p)
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p)
    }
  }
  walk(dir)
  return out.sort()
}

const parsed = new Map<string, ts.SourceFile>()
export function parse (file: string): ts.SourceFile {
  let sf = parsed.get(file)
  if (sf == null) {
    sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true)
    parsed.set(file, sf)
  }
  return sf
}

function target (from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined
  return relative(ROOT, resolve(ROOT, dirname(from), spec))
}

function bindingNames (p: ts.BindingName | undefined): string[] | '*' {
  if (p == null || !ts.isObjectBindingPattern(p)) return '*'
  return p.elements.map(e => ((e.propertyName ?? e.name) as ts.Identifier).text)
}

/** The names a dynamic `import()` is destructured into, alone or inside `await Promise.all([...])`. */
function dynamicNames (call: ts.CallExpression): string[] | '*' {
  let node: ts.Node = call.parent
  if (ts.isAwaitExpression(node) && ts.isVariableDeclaration(node.parent)) return bindingNames(node.parent.name)
  if (ts.isArrayLiteralExpression(node)) {
    const index = node.elements.indexOf(call)
    node = node.parent
    if (ts.isCallExpression(node) && ts.isAwaitExpression(node.parent) && ts.isVariableDeclaration(node.parent.parent)) {
      const pattern = node.parent.parent.name
      if (ts.isArrayBindingPattern(pattern)) {
        const el = pattern.elements[index]
        if (el != null && ts.isBindingElement(el)) return bindingNames(el.name)
      }
    }
  }
  return '*'
}

export function importsOf (file: string): ImportEdge[] {
  const sf = parse(file)
  const edges: ImportEdge[] = []
  const line = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart()).line + 1
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const to = target(file, n.moduleSpecifier.text)
      if (to != null) {
        const c = n.importClause
        const bindings = c?.namedBindings
        const names = bindings == null
          ? (c?.name != null ? ['default'] : [])
          : ts.isNamespaceImport(bindings) ? '*' : bindings.elements.map(e => (e.propertyName ?? e.name).text)
        edges.push({ from: file, to, names, typeOnly: c?.isTypeOnly ?? false, reexport: false, line: line(n) })
      }
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier != null && ts.isStringLiteral(n.moduleSpecifier)) {
      const to = target(file, n.moduleSpecifier.text)
      if (to != null) {
        const clause = n.exportClause
        const names = clause != null && ts.isNamedExports(clause) ? clause.elements.map(e => (e.propertyName ?? e.name).text) : '*'
        edges.push({ from: file, to, names, typeOnly: n.isTypeOnly, reexport: true, line: line(n) })
      }
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = n.arguments[0]
      const to = arg != null && ts.isStringLiteral(arg) ? target(file, arg.text) : undefined
      if (to != null) edges.push({ from: file, to, names: dynamicNames(n), typeOnly: false, reexport: false, line: line(n) })
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      const to = target(file, n.argument.literal.text)
      if (to != null) edges.push({ from: file, to, names: n.qualifier != null && ts.isIdentifier(n.qualifier) ? [n.qualifier.text] : '*', typeOnly: true, reexport: false, line: line(n) })
    }
    ts.forEachChild(n, visit)
  }
  visit(sf)
  return edges
}

const EXPORTED = (n: ts.Node): boolean =>
  ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some(m => m.kind === ts.SyntaxKind.ExportKeyword)

/** What a barrel exports, each name with the file that defines it. */
export function barrelExports (barrel: string): BarrelExport[] {
  const out: BarrelExport[] = []
  for (const s of parse(barrel).statements) {
    if (ts.isExportDeclaration(s) && s.exportClause != null && ts.isNamedExports(s.exportClause)) {
      const spec = s.moduleSpecifier != null && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined
      const source = spec == null ? barrel : (target(barrel, spec) ?? spec)
      for (const e of s.exportClause.elements) out.push({ name: e.name.text, source, typeOnly: s.isTypeOnly || e.isTypeOnly })
    } else if (EXPORTED(s)) {
      const typeOnly = ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) out.push({ name: d.name.text, source: barrel, typeOnly })
      } else if ('name' in s && s.name != null && ts.isIdentifier(s.name as ts.Node)) {
        out.push({ name: (s.name as ts.Identifier).text, source: barrel, typeOnly })
      }
    }
  }
  return out
}

/** Top-level folder under src/ (`'.'` for a file at src/ itself), or undefined outside src/. */
export function folderOf (file: string): string | undefined {
  if (!file.startsWith('src/')) return undefined
  const parts = file.split('/')
  return parts.length > 2 ? parts[1] : '.'
}

export const BARRELS = (): string[] => listTs('src').filter(f => /^src\/[^/]+\/index\.ts$/.test(f))
