/** Reads and validates `$BAOBAB_HOME/config.json`; the only place config files are parsed. */
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseAllowedHosts, parseAllowedOrigins } from '../api/index.ts'
import { DEFAULT_CONFIG } from '../config.ts'
import { writeFileAtomic } from '../artifacts/index.ts'
import { LLAMA_GPU_SETTINGS } from '../runtime/index.ts'
import { ConfigError } from './errors.ts'
import type { NodeConfig } from '../config.ts'

export const CONFIG_FILE = 'config.json'

export function resolveHome (flag?: string): string {
  return resolve(flag ?? process.env.BAOBAB_HOME ?? join(homedir(), '.baobab'))
}

export function loadConfig (home: string): NodeConfig {
  const path = join(home, CONFIG_FILE)
  if (!existsSync(path)) return structuredClone(DEFAULT_CONFIG)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ConfigError(path, 'not valid JSON', { cause: err })
  }
  return validateConfig(raw, path)
}

export function saveConfig (home: string, config: NodeConfig): void {
  writeFileAtomic(join(home, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n')
}

function validateConfig (raw: unknown, path: string): NodeConfig {
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path, 'must be a JSON object')
  const c = { ...structuredClone(DEFAULT_CONFIG), ...(raw as Partial<NodeConfig>) }
  const strings = (v: unknown, field: string): void => {
    if (!Array.isArray(v) || v.some(x => typeof x !== 'string')) throw new ConfigError(path, `"${field}" must be a list of strings`)
  }
  if (typeof c.network !== 'string' || !/^[a-z0-9-]{1,32}$/.test(c.network)) throw new ConfigError(path, '"network" must be 1–32 of a-z, 0-9, -')
  strings(c.listen, 'listen')
  strings(c.bootstrap, 'bootstrap')
  if (typeof c.mdns !== 'boolean') throw new ConfigError(path, '"mdns" must be true or false')
  if (typeof c.relay !== 'boolean') throw new ConfigError(path, '"relay" must be true or false')
  if (!['open', 'community', 'strict'].includes(c.policy)) throw new ConfigError(path, '"policy" must be open, community or strict')
  if (!['builtin', 'transformers', 'openai'].includes(c.embedder?.kind)) throw new ConfigError(path, '"embedder.kind" must be builtin, transformers or openai')
  if (!['retrieval', 'llama', 'openai'].includes(c.runtime?.kind)) throw new ConfigError(path, '"runtime.kind" must be retrieval, llama or openai')
  if (c.runtime.gpu !== undefined && !LLAMA_GPU_SETTINGS.includes(c.runtime.gpu)) throw new ConfigError(path, '"runtime.gpu" must be "auto", false, "metal", "cuda" or "vulkan"')
  for (const f of ['tasks', 'grader', 'evalData'] as const) {
    if (c.checks?.[f] != null && typeof c.checks[f] !== 'string') throw new ConfigError(path, `"checks.${f}" must be a string`)
  }
  if (c.pskFile != null && typeof c.pskFile !== 'string') throw new ConfigError(path, '"pskFile" must be the path of a network key file')
  if (c.http != null && typeof c.http.listen !== 'string') throw new ConfigError(path, '"http.listen" must be host:port')
  checkAllowLists(c.http, path)
  return c
}

/** `http.allowedHosts` / `http.allowedOrigins`: lists of host names and of origins. */
function checkAllowLists (http: NodeConfig['http'], path: string): void {
  for (const [field, parse] of [['allowedHosts', parseAllowedHosts], ['allowedOrigins', parseAllowedOrigins]] as const) {
    const v = http?.[field]
    if (v == null) continue
    if (!Array.isArray(v) || v.some(x => typeof x !== 'string')) throw new ConfigError(path, `"http.${field}" must be a list of strings`)
    try {
      parse(v)
    } catch (err) {
      throw new ConfigError(path, `"http.${field}": ${(err as Error).message.replace(/^http\.\w+: /, '')}`, { cause: err })
    }
  }
}
