/** `baobab artifact create|export|verify`: artifacts as files. */
import { readFileSync } from 'node:fs'
import { KINDS, bodyFromJson, createArtifact, decodeArtifact, envelopeToJson, writeFileAtomic } from '../../artifacts/index.ts'
import { ArtifactNotFoundError } from '../../library/index.ts'
import { UsageError } from '../errors.ts'
import { action, emit, withContext } from '../context.ts'
import type { Kind } from '../../artifacts/index.ts'
import type { Command } from 'commander'

function readBody (text: string): unknown {
  const raw = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text
  try {
    return JSON.parse(raw)
  } catch {
    throw new UsageError('--body must be JSON or @file.json')
  }
}

export function register (program: Command): void {
  const art = program.command('artifact').description('create, export and verify signed artifacts as files')
  art.command('create <kind>')
    .description(`sign a new artifact (${KINDS.join(', ')}) with this node's key and store it`)
    .requiredOption('--body <json>', 'body as JSON, or @file.json (CIDs as strings, bytes as base64)')
    .option('-o, --out <file>', 'also write the encoded artifact to a file')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  baobab artifact create revocation --body \'{"target":"bafy...","reason":"superseded"}\' -o rev.cbor')
    .action(action(async (kind: string, opts: { body: string, out?: string }, cmd: Command) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`kind must be one of ${KINDS.join(', ')}`)
      if (kind === 'adapter') throw new UsageError('adapters carry weights: use `baobab adapter add`')
      const body = bodyFromJson(kind as Kind, readBody(opts.body))
      await withContext(cmd, async ctx => {
        const a = await createArtifact(kind as Kind, body, ctx.identity.privateKey)
        ctx.library.put(a, { status: 'trusted' })
        if (opts.out != null) writeFileAtomic(opts.out, a.bytes)
        emit(cmd, { cid: a.cid.toString(), kind, bytes: a.bytes.length, file: opts.out ?? null }, () => {
          console.log(`created ${kind} ${a.cid.toString()} (${a.bytes.length} bytes)${opts.out != null ? ` → ${opts.out}` : ''}`)
        })
      })
    }))
  art.command('export <cid>')
    .description('write a stored artifact to a file (its exact signed bytes)')
    .requiredOption('-o, --out <file>', 'output file')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, opts: { out: string }, cmd: Command) => {
      await withContext(cmd, ctx => {
        const a = ctx.library.get(cid)
        if (a == null) throw new ArtifactNotFoundError(cid)
        writeFileAtomic(opts.out, a.bytes)
        emit(cmd, { cid, file: opts.out, bytes: a.bytes.length }, () => { console.log(`wrote ${cid} → ${opts.out}`) })
      })
    }))
  art.command('verify <file>')
    .description('check an artifact file: encoding, schema, size, signature and CID')
    .option('--cid <cid>', 'the CID the file must have')
    .option('--json', 'print JSON')
    .action(action(async (file: string, opts: { cid?: string }, cmd: Command) => {
      const a = await decodeArtifact(new Uint8Array(readFileSync(file)), { expectedCid: opts.cid })
      emit(cmd, { valid: true, cid: a.cid.toString(), kind: a.envelope.kind, author: a.envelope.author, envelope: envelopeToJson(a.envelope) }, () => {
        console.log(`valid ${a.envelope.kind} ${a.cid.toString()}`)
        console.log(`author ${a.envelope.author}, created ${new Date(a.envelope.created).toISOString()}`)
      })
    }))
}
