/**
 * `baobab adapter add`: turns exemplars (and optional LoRA weights) into a signed `adapter`
 * artifact in the library, trusted, ready for the router.
 *
 * Everything is checked before anything is written (names, exemplar lines, the weights file);
 * weights become content-addressed 1 MiB blobs, and if signing or storing fails afterwards the
 * blobs this command added are removed again — nothing is half-added.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BaseModelMismatchError, convertToGguf, encodeGgufLora, loadAdapterFile } from '../../adapters/index.ts'
import { CHUNK_SIZE, createArtifact, parseCid, rawCid } from '../../artifacts/index.ts'
import { readExemplarsFile } from '../../router/index.ts'
import { writeFileAtomic } from '../../adapters/index.ts'
import { UsageError } from '../errors.ts'
import { action, emit, progressBar, withContext } from '../context.ts'
import { green } from '../demo/render.ts'
import type { AdapterBody } from '../../artifacts/index.ts'
import type { CliContext } from '../context.ts'
import type { Command } from 'commander'

interface AddOptions {
  name: string
  domain: string
  exemplars: string
  weights?: string
  base?: string
  description?: string
  license: string
}

interface Weights {
  file: string, bytes: number, rank: number, alpha: number, targets: string[], arch: string | undefined, baseModel: string | undefined,
  warnings: string[], cleanup: () => Promise<void>
}

function checkText (flag: string, value: string, min: number, max: number): string {
  const v = value.trim()
  if (v.length < min || v.length > max) throw new UsageError(`${flag} must be ${min}..${max} characters (got ${v.length})`)
  return v
}

function parseBase (base: string | undefined): { family: string, model: string } | null {
  if (base == null) return null
  const m = /^([^/\s]{1,32})\/(.{0,128})$/.exec(base.trim())
  if (m == null) throw new UsageError(`--base must look like family/model, e.g. llama/llama-2-7b (got "${base}")`)
  return { family: m[1]!, model: m[2]! }
}

/** Reads a GGUF LoRA file or PEFT directory; PEFT is converted to a GGUF LoRA in a temp file. */
async function readWeights (path: string): Promise<Weights> {
  const adapter = await loadAdapterFile(path)
  const info = await stat(path)
  const gguf = convertToGguf(adapter)
  const first = gguf.targets[0]
  const base = {
    rank: Math.max(...gguf.targets.map(t => t.rank)),
    alpha: first?.alpha ?? 0,
    targets: [...new Set(gguf.targets.map(t => t.name.replace(/^blk\.\d+\./, '').replace(/\.weight$/, '')))].slice(0, 64),
    arch: adapter.arch,
    baseModel: adapter.baseModel,
    warnings: gguf.warnings
  }
  if (!info.isDirectory() && adapter.format === 'gguf') {
    return { file: path, bytes: info.size, ...base, cleanup: async () => {} }
  }
  const dir = await mkdtemp(join(tmpdir(), 'baobab-adapter-'))
  const file = join(dir, 'adapter.gguf')
  const bytes = encodeGgufLora(gguf)
  await writeFileAtomic(file, bytes)
  return { file, bytes: bytes.length, ...base, cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
}

async function addAdapter (ctx: CliContext, cmd: Command, opts: AddOptions): Promise<Record<string, unknown>> {
  const name = checkText('--name', opts.name, 1, 64)
  const domain = checkText('--domain', opts.domain, 1, 64)
  const description = checkText('--description', opts.description ?? `${domain} knowledge`, 0, 512)
  const license = checkText('--license', opts.license, 0, 64)
  const declared = parseBase(opts.base)
  const { exemplars } = await readExemplarsFile(opts.exemplars)
  const weights = opts.weights == null ? null : await readWeights(opts.weights)
  try {
    if (weights != null && declared != null && weights.arch != null && weights.arch !== declared.family) {
      throw new BaseModelMismatchError([declared.family, weights.arch], `--base says ${declared.family} but ${opts.weights} is a ${weights.arch} adapter`)
    }
    const baseModel = declared ?? { family: weights?.arch ?? 'any', model: weights?.baseModel?.slice(0, 128) ?? '' }
    let chunks: string[] = []
    const added: string[] = []
    if (weights != null) {
      const bytes = await readFile(weights.file)
      for (let at = 0; at < bytes.length; at += CHUNK_SIZE) {
        const cid = rawCid(bytes.subarray(at, at + CHUNK_SIZE)).toString()
        if (!ctx.library.blobs.has(cid)) added.push(cid)
      }
      const bar = progressBar(cmd, 'storing weights', weights.bytes, ' B')
      try {
        chunks = (await ctx.library.putBlobFile(weights.file, { onProgress: e => { bar.update(e.done) } })).chunks
      } finally { bar.stop() }
    }
    try {
      const body: AdapterBody = {
        name,
        domain,
        description,
        base: baseModel,
        format: weights == null ? 'card' : 'gguf-lora',
        rank: weights?.rank ?? 0,
        alpha: weights?.alpha ?? 0,
        targets: weights?.targets ?? [],
        bytes: weights?.bytes ?? 0,
        chunks: chunks.map(c => parseCid(c)),
        exemplars,
        license
      }
      const artifact = await createArtifact('adapter', body, ctx.identity.privateKey)
      const put = ctx.library.put(artifact, { status: 'trusted', shareable: true })
      return {
        cid: put.cid,
        inserted: put.inserted,
        name,
        domain,
        format: body.format,
        exemplars: exemplars.length,
        bytes: body.bytes,
        chunks: chunks.length,
        base: baseModel,
        warnings: weights?.warnings ?? []
      }
    } catch (err) {
      for (const cid of added) ctx.library.blobs.remove(cid)
      throw err
    }
  } finally {
    await weights?.cleanup()
  }
}

export function registerAdapterAdd (adapter: Command): void {
  adapter.command('add')
    .description('add an expert: exemplars (JSONL) and optional LoRA weights, signed and stored as trusted')
    .requiredOption('--name <name>', 'expert name (1-64 characters)')
    .requiredOption('--domain <domain>', 'domain, e.g. veterinary')
    .requiredOption('--exemplars <file.jsonl>', 'JSONL lines with instruction/output or q/a (at most 64)')
    .option('--weights <gguf|peft-dir>', 'LoRA weights: a GGUF LoRA file or a PEFT directory (converted to GGUF)')
    .option('--base <family/model>', 'base model the weights are for, e.g. llama/llama-2-tiny-random')
    .option('--description <text>', 'what the expert knows (up to 512 characters)')
    .option('--license <id>', 'licence of the exemplars and weights', 'unspecified')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  baobab adapter add --name vet-helper --domain veterinary --exemplars vet.jsonl\n  baobab adapter add --name tiny-a --domain demo --exemplars a.jsonl --weights lora-a.gguf --base llama/llama-2-tiny-random')
    .action(action(async (opts: AddOptions, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const r = await addAdapter(ctx, cmd, opts)
        emit(cmd, r, () => {
          console.log(`${green('added')} ${String(r.name)} (${String(r.domain)}) ${String(r.cid)}`)
          console.log(`  ${String(r.format)}, ${String(r.exemplars)} exemplars${r.format === 'gguf-lora' ? `, ${String(r.bytes)} bytes in ${String(r.chunks)} chunk(s)` : ''}`)
          for (const w of r.warnings as string[]) console.log(`  warning: ${w}`)
        })
      })
    }))
}
