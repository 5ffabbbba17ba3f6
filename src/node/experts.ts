/** Keeps the router's experts equal to the library's trusted adapters (newest version per name). */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AdapterBody } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'
import type { Router } from '../router/index.ts'

export interface ExpertRecord {
  cid: string
  name: string
  domain: string
  description: string
  body: AdapterBody
  created: number
}

/** Trusted adapters, newest per name. */
export function trustedExperts (library: Library): ExpertRecord[] {
  const byName = new Map<string, ExpertRecord>()
  for (const a of library.list({ kind: 'adapter', status: 'trusted' })) {
    const body = a.envelope.body as AdapterBody
    const prev = byName.get(body.name)
    if (prev != null && prev.created >= a.created) continue
    byName.set(body.name, { cid: a.cid.toString(), name: body.name, domain: body.domain, description: body.description, body, created: a.created })
  }
  return [...byName.values()]
}

/** Adds and removes router experts so they match the library; returns how many changed. */
export async function syncRouterExperts (library: Library, router: Router, options: { signal?: AbortSignal } = {}): Promise<number> {
  const wanted = new Map(trustedExperts(library).map(e => [e.cid, e]))
  const current = new Set(router.experts().map(e => e.id))
  let changed = 0
  for (const id of current) {
    if (!wanted.has(id)) { router.removeExpert(id); changed++ }
  }
  for (const [cid, e] of wanted) {
    if (current.has(cid) || e.body.exemplars.length === 0) continue
    await router.addExpert({ id: cid, name: e.name, domain: e.domain, description: e.description, exemplars: e.body.exemplars }, options)
    changed++
  }
  return changed
}

/** Reassembles a GGUF LoRA adapter's chunks into a cached file for the runtime. */
export function loraFile (library: Library, home: string, adapter: StoredArtifact | ExpertRecord): string | undefined {
  const body = ('body' in adapter ? adapter.body : adapter.envelope.body) as AdapterBody
  if (body.format !== 'gguf-lora' || body.chunks.length === 0) return undefined
  const dir = join(home, 'cache', 'lora')
  const cid = adapter.cid.toString()
  const path = join(dir, `${cid}.gguf`)
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true })
    library.writeBlobFile(body.chunks.map(c => c.toString()), path)
  }
  return path
}
