/**
 * `baobab doctor`: checks Node, the node key and config, library integrity, model files, ports
 * and bootstrap peers, and suggests a fix for each problem. Reads only; creates nothing.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { KEY_FILE } from '../../artifacts/index.ts'
import { CONFIG_FILE, loadConfig, resolveHome } from '../config-file.ts'
import { action, emit, globalOptions } from '../context.ts'
import { checkLlama, checkRuntimeServer } from './doctor-runtime.ts'
import { hashEmbedder, isImportedModel, verifyModel } from '../../embedding/index.ts'
import type { ImportedModel } from '../../embedding/index.ts'
import type { EmbedderConfig, NodeConfig } from '../../config.ts'
import type { Command } from 'commander'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip'
export interface Check { name: string, status: CheckStatus, detail: string, fix?: string }

const MIN_NODE = [22, 18] as const
const PEER_TIMEOUT_MS = 2000

export function checkNode (version = process.versions.node): Check {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
  return ok
    ? { name: 'node', status: 'ok', detail: `Node ${version}` }
    : { name: 'node', status: 'fail', detail: `Node ${version} is older than ${MIN_NODE.join('.')}`, fix: 'run through npm scripts or node_modules/.bin/node (npm install brings Node 24)' }
}

function checkKey (home: string): Check {
  const path = join(home, KEY_FILE)
  if (!existsSync(path)) return { name: 'key', status: 'fail', detail: `no node key in ${home}`, fix: `baobab --home ${home} init` }
  const mode = statSync(path).mode & 0o777
  return (mode & 0o077) !== 0
    ? { name: 'key', status: 'warn', detail: `${path} is readable by others (mode ${mode.toString(8)})`, fix: `chmod 600 ${path}` }
    : { name: 'key', status: 'ok', detail: path }
}

function checkLibrary (home: string): Check {
  const path = join(home, 'library.db')
  if (!existsSync(path)) return { name: 'library', status: 'warn', detail: 'no library yet', fix: `baobab --home ${home} init, then add or sync knowledge` }
  let db: DatabaseSync | undefined
  try {
    db = new DatabaseSync(path, { readOnly: true })
    const rows = db.prepare('PRAGMA integrity_check').all() as Array<Record<string, string>>
    const problems = rows.map(r => Object.values(r)[0]).filter(v => v !== 'ok')
    if (problems.length > 0) return { name: 'library', status: 'fail', detail: `integrity_check: ${problems.slice(0, 3).join('; ')}`, fix: 'stop the node, back up library.db, then restore from a backup or re-sync from peers' }
    const n = (db.prepare('SELECT count(*) AS n FROM artifacts').get() as { n: number }).n
    const chunks = db.prepare('SELECT DISTINCT chunk FROM artifact_chunks').all() as Array<{ chunk: string }>
    const missing = chunks.filter(c => !existsSync(join(home, 'blobs', c.chunk.slice(-2), c.chunk)))
    if (missing.length > 0) return { name: 'library', status: 'fail', detail: `${missing.length} adapter chunk(s) missing from blobs/ (first ${missing[0]!.chunk})`, fix: 'let the node sync with peers (missing chunks are fetched and verified), or remove the affected adapters' }
    return { name: 'library', status: 'ok', detail: `integrity ok, ${n} artifacts, ${chunks.length} chunks present` }
  } catch (err) {
    return { name: 'library', status: 'fail', detail: `cannot read ${path}: ${(err as Error).message}`, fix: 'check file permissions; if another process holds it, stop that node first' }
  } finally {
    db?.close()
  }
}

function isGguf (path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const b = Buffer.alloc(4)
    return readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === 'GGUF'
  } finally {
    closeSync(fd)
  }
}

export function checkModels (config: NodeConfig): Check[] {
  const out: Check[] = []
  const rt = config.runtime
  if (rt.kind === 'llama') {
    const p = rt.model
    if (p == null || p === '') out.push({ name: 'runtime model', status: 'fail', detail: 'runtime.kind is llama but runtime.model is empty', fix: 'set runtime.model to a base GGUF file in config.json' })
    else if (!existsSync(p)) out.push({ name: 'runtime model', status: 'fail', detail: `${p} does not exist`, fix: 'fix runtime.model in config.json, or use "runtime": {"kind": "retrieval"}' })
    else if (!isGguf(p)) out.push({ name: 'runtime model', status: 'fail', detail: `${p} is not a GGUF file`, fix: 'point runtime.model at a .gguf model' })
    else out.push({ name: 'runtime model', status: 'ok', detail: `${p} (${(statSync(p).size / 2 ** 20).toFixed(1)} MiB)` })
  } else {
    out.push({ name: 'runtime model', status: 'skip', detail: `runtime ${rt.kind} needs no local model file` })
  }
  const em = config.embedder
  let imported: ImportedModel | undefined
  if (em.kind === 'transformers') {
    const ok = em.model != null && existsSync(em.model)
    if (!ok) out.push({ name: 'embedder model', status: 'fail', detail: `embedder model directory ${em.model ?? '(unset)'} not found`, fix: 'set embedder.model to a local model directory, or use "embedder": {"kind": "builtin"}' })
    else if (!isImportedModel(em.model!)) out.push({ name: 'embedder model', status: 'ok', detail: em.model! })
    else {
      try {
        imported = verifyModel(em.model!)
        out.push({ name: 'embedder model', status: 'ok', detail: `${em.model!}: ${imported.manifest.files.length} files match their CIDs` })
      } catch (err) {
        out.push({ name: 'embedder model', status: 'fail', detail: (err as Error).message, fix: 'import the model again from its source: baobab embedder import <dir> --expect <its cid>' })
      }
    }
  }
  out.push(checkEmbedder(em, imported))
  return out
}

const EMBEDDER_SETTINGS: Record<EmbedderConfig['kind'], string> = {
  builtin: '"embedder": {"kind": "builtin"} (lexical, no model file)',
  transformers: '"embedder": {"kind": "transformers", "model": "<local ONNX model directory, e.g. all-MiniLM-L6-v2>"} (`baobab embedder import <dir>` copies one in and sets it)',
  openai: '"embedder": {"kind": "openai", "baseUrl": "http://127.0.0.1:11434/v1", "model": "<embedding model>"}'
}

/** Which embedder routes questions, and the config.json settings that switch to the others. */
export function checkEmbedder (em: EmbedderConfig, imported?: ImportedModel): Check {
  const transformers = imported != null ? `${imported.manifest.name} (imported model ${imported.cid})` : em.model ?? '(model unset)'
  const using = em.kind === 'builtin'
    ? `built-in ${hashEmbedder().modelId}`
    : em.kind === 'transformers' ? `transformers ${transformers}` : `openai-compatible ${em.model ?? '(model unset)'} at ${em.baseUrl ?? '(baseUrl unset)'}`
  const others = Object.entries(EMBEDDER_SETTINGS).filter(([k]) => k !== em.kind).map(([, v]) => v)
  return { name: 'embedder', status: 'ok', detail: `${using}; to switch, set in config.json ${others.join(' or ')}` }
}

async function portFree (host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', (err) => { resolve(err) })
    srv.listen(port, host, () => { srv.close(() => { resolve(null) }) })
  })
}

export async function checkPorts (config: NodeConfig): Promise<Check[]> {
  const { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, isLoopbackHost, parseListen } = await import('../../api/index.ts')
  const out: Check[] = []
  const http = config.http?.listen != null ? parseListen(config.http.listen) : { host: DEFAULT_HTTP_HOST, port: DEFAULT_HTTP_PORT }
  if (!isLoopbackHost(http.host) && (config.http?.token ?? '') === '') {
    out.push({ name: 'http token', status: 'fail', detail: `http.listen ${http.host} is not loopback and no http.token is set`, fix: 'set http.token (16+ characters) in config.json, or listen on 127.0.0.1' })
  }
  const targets: Array<{ name: string, host: string, port: number }> = [{ name: 'http port', ...http }]
  for (const ma of config.listen) {
    const m = /^\/ip[46]\/([^/]+)\/tcp\/(\d+)/.exec(ma)
    if (m != null && m[2] !== '0') targets.push({ name: 'mesh port', host: m[1]!, port: Number(m[2]) })
  }
  for (const t of targets) {
    if (t.port === 0) continue
    const err = await portFree(t.host, t.port)
    if (err == null) out.push({ name: t.name, status: 'ok', detail: `${t.host}:${t.port} is free` })
    else if (err.code === 'EADDRINUSE') out.push({ name: t.name, status: 'warn', detail: `${t.host}:${t.port} is in use (a running node, or another program)`, fix: t.name === 'http port' ? `curl http://${t.host}:${t.port}/healthz; or start with --http ${t.host}:${t.port + 1}` : 'pick another port in config.json "listen"' })
    else out.push({ name: t.name, status: 'fail', detail: `${t.host}:${t.port}: ${err.code ?? err.message}`, fix: 'use an address this machine has, e.g. 127.0.0.1' })
  }
  return out
}

async function reachable (host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: PEER_TIMEOUT_MS })
    const done = (r: string | null): void => { s.destroy(); resolve(r) }
    s.once('connect', () => { done(null) })
    s.once('timeout', () => { done('timed out') })
    s.once('error', (err: NodeJS.ErrnoException) => { done(err.code ?? err.message) })
  })
}

export async function checkPeers (config: NodeConfig): Promise<Check[]> {
  if (config.bootstrap.length === 0) return [{ name: 'peers', status: 'skip', detail: `no bootstrap peers configured${config.mdns ? '; mDNS finds peers on the LAN' : ''}` }]
  const out: Check[] = []
  for (const ma of config.bootstrap) {
    const m = /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)/.exec(ma)
    if (m == null) { out.push({ name: 'peer', status: 'warn', detail: `${ma}: cannot check (not a TCP multiaddr)` }); continue }
    const err = await reachable(m[1]!, Number(m[2]))
    out.push(err == null
      ? { name: 'peer', status: 'ok', detail: `${m[1]}:${m[2]} reachable` }
      : { name: 'peer', status: 'warn', detail: `${m[1]}:${m[2]} not reachable (${err})`, fix: 'check that the peer runs and its firewall allows the port; or remove it from "bootstrap"' })
  }
  return out
}

/** Peers this node saw whose handshake failed (a private network mismatch), from its peer book. */
export function checkRefusedPeers (home: string, config: NodeConfig): Check {
  const path = join(home, 'library.db')
  const name = 'network'
  const mode = config.psk != null || config.pskFile != null ? 'private (pre-shared key)' : 'open (no pre-shared key)'
  if (!existsSync(path)) return { name, status: 'skip', detail: `${config.network}, ${mode}; no peers seen yet` }
  let db: DatabaseSync | undefined
  try {
    db = new DatabaseSync(path, { readOnly: true })
    const hasColumn = (db.prepare('PRAGMA table_info(mesh_peers)').all() as Array<{ name: string }>).some(c => c.name === 'refused')
    const rows = hasColumn ? db.prepare('SELECT peer, refused FROM mesh_peers WHERE refused IS NOT NULL AND connected = 0 ORDER BY refused_at DESC').all() as Array<{ peer: string, refused: string }> : []
    if (rows.length === 0) return { name, status: 'ok', detail: `${config.network}, ${mode}; no peer refused at the handshake` }
    const fix = config.psk != null || config.pskFile != null
      ? 'give those peers this network\'s key file (`baobab network join <keyfile>` on each), or check that they use the same key'
      : 'get the private network\'s key file from its members and run `baobab network join <keyfile>`'
    return { name, status: 'warn', detail: `${config.network}, ${mode}; ${rows.length} peer(s) seen but refused: ${rows[0]!.peer} ${rows[0]!.refused}`, fix }
  } catch (err) {
    return { name, status: 'warn', detail: `cannot read the peer book: ${(err as Error).message}` }
  } finally {
    db?.close()
  }
}

export async function runChecks (home: string): Promise<Check[]> {
  const checks: Check[] = [checkNode(), checkKey(home)]
  let config: NodeConfig | undefined
  try {
    config = loadConfig(home)
    checks.push({ name: 'config', status: 'ok', detail: existsSync(join(home, CONFIG_FILE)) ? join(home, CONFIG_FILE) : 'defaults (no config.json)' })
  } catch (err) {
    checks.push({ name: 'config', status: 'fail', detail: (err as Error).message, fix: `fix or remove ${join(home, CONFIG_FILE)} (baobab init writes a fresh one)` })
  }
  checks.push(checkLibrary(home))
  if (config != null) {
    checks.push(...checkModels(config))
    checks.push(...await checkLlama(config), ...await checkRuntimeServer(config))
    try {
      checks.push(...await checkPorts(config))
    } catch (err) {
      checks.push({ name: 'http port', status: 'fail', detail: (err as Error).message, fix: 'http.listen must be host:port, e.g. 127.0.0.1:7777' })
    }
    checks.push(...await checkPeers(config))
    checks.push(checkRefusedPeers(home, config))
  }
  return checks
}

const MARK: Record<CheckStatus, [string, string]> = { ok: ['✓', '32'], warn: ['!', '33'], fail: ['✗', '31'], skip: ['-', '90'] }

export function formatCheck (c: Check, colour: boolean): string {
  const [mark, code] = MARK[c.status]
  const head = colour ? `\x1b[${code}m${mark}\x1b[0m` : mark
  return `${head} ${c.name.padEnd(15)} ${c.detail}${c.fix != null ? `\n    fix: ${c.fix}` : ''}`
}

export function register (program: Command): void {
  program.command('doctor')
    .description('check Node, key, config, library integrity, model files, ports and peers; suggest fixes')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit code 1 when any check fails.\n\nExamples:\n  baobab doctor\n  baobab --home ./node-a doctor --json')
    .action(action(async (_opts: unknown, cmd: Command) => {
      const home = resolveHome(globalOptions(cmd).home)
      const checks = await runChecks(home)
      const ok = !checks.some(c => c.status === 'fail')
      emit(cmd, { home, ok, checks }, () => {
        const colour = process.stdout.isTTY === true && process.env.NO_COLOR == null
        for (const c of checks) console.log(formatCheck(c, colour))
        console.log(ok ? 'all required checks passed' : 'some checks failed; see the fixes above')
      })
      if (!ok) process.exitCode = 1
    }))
}
