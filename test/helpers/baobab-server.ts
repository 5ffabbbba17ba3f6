/**
 * A real `baobab start --http` process for client tests: a temp home whose library holds the
 * demo communities' knowledge cards (test/helpers/community-experts.ts), the given runtime in
 * its config.json, the mesh on 127.0.0.1 without mDNS and the API on a free loopback port.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { DEFAULT_CONFIG } from '../../src/config.ts'
import { createNode } from '../../src/node/index.ts'
import { addCommunityCard, COMMUNITIES } from './community-experts.ts'
import type { RuntimeConfig } from '../../src/config.ts'

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname
export const TINY_GGUF = new URL('../fixtures/llama-2-tiny-random.gguf', import.meta.url).pathname

export interface BaobabServer {
  /** e.g. `http://127.0.0.1:41234/` */
  url: string
  /** The OpenAI base URL, `${url}v1`. */
  baseURL: string
  close(): Promise<void>
}

export async function startBaobabServer (runtime: RuntimeConfig = { kind: 'retrieval' }): Promise<BaobabServer> {
  const home = mkdtempSync(join(tmpdir(), 'baobab-http-'))
  const config = { ...structuredClone(DEFAULT_CONFIG), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, runtime }
  const node = await createNode({ home, config, mesh: false })
  for (const domain of COMMUNITIES) await addCommunityCard(node.library, node.identity.privateKey, domain)
  await node.stop()
  writeFileSync(join(home, 'config.json'), JSON.stringify(config))

  const child = spawn(process.execPath, [MAIN, '--home', home, 'start', '--http', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = once(child, 'exit')
  const lines = createInterface({ input: child.stdout })
  const ready = (async () => {
    for await (const line of lines) {
      const m = /^dashboard (\S+)/.exec(line)
      if (m != null) return m[1]
    }
    return undefined
  })()
  const url = await Promise.race([ready, exited.then(() => undefined)])
  if (url == null) {
    rmSync(home, { recursive: true, force: true })
    throw new Error(`baobab start --http did not come up: ${stderr.slice(-2000)}`)
  }
  lines.on('line', () => {}) // keep draining stdout
  return {
    url,
    baseURL: `${url}v1`,
    close: async () => {
      if (child.exitCode == null) {
        child.kill('SIGTERM')
        await exited
      }
      rmSync(home, { recursive: true, force: true })
    }
  }
}
