#!/usr/bin/env node
// Baobab CLI entry. Node >= 22.18 runs the TypeScript sources directly. An older `node` on the
// PATH (Debian and Raspberry Pi OS ship Node 20) re-runs this file with the Node 24 that
// `npm install` puts beside Baobab (the `node` package), passing signals and the exit code on.
// This file stays plain JavaScript that any Node from 14 on can parse.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MIN = [22, 18]
const [major, minor] = process.versions.node.split('.').map(Number)

if (major > MIN[0] || (major === MIN[0] && minor >= MIN[1])) {
  await import('../src/cli/main.ts')
} else {
  const node = bundledNode()
  if (node == null) {
    process.stderr.write(`baobab needs Node >= ${MIN.join('.')}; this is ${process.version}. ` +
      `Run \`npm install\` in ${join(dirname(fileURLToPath(import.meta.url)), '..')} (it installs Node 24 beside Baobab) or install Node 24.\n`)
    process.exit(1)
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => { child.kill(signal) })
  }
  child.on('error', err => {
    process.stderr.write(`baobab: could not start ${node}: ${err.message}\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    if (signal != null) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    } else process.exit(code ?? 1)
  })
}

/** The `node` package's binary, wherever npm placed it (beside Baobab or hoisted above it). */
function bundledNode () {
  let dir
  try {
    dir = dirname(createRequire(import.meta.url).resolve('node/package.json'))
  } catch {
    return null
  }
  return [join(dir, 'bin', 'node'), join(dir, 'bin', 'node.exe')].find(p => existsSync(p)) ?? null
}
