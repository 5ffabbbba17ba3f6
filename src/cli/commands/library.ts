/** `baobab status`, `baobab library list|show|rm`. */
import { KINDS, envelopeToJson } from '../../artifacts/index.ts'
import { ArtifactNotFoundError, STATUSES } from '../../library/index.ts'
import { trustFromConfig } from '../../node/index.ts'
import { UsageError } from '../errors.ts'
import { action, emit, withContext } from '../context.ts'
import type { Kind } from '../../artifacts/index.ts'
import type { Status, StoredArtifact } from '../../library/index.ts'
import type { Command } from 'commander'

export function summary (a: StoredArtifact): Record<string, unknown> {
  const body = a.envelope.body as { name?: string, text?: string, task?: string, reason?: string }
  return {
    cid: a.cid.toString(),
    kind: a.kind,
    author: a.author,
    created: new Date(a.created).toISOString(),
    domain: a.domain,
    status: a.status,
    shareable: a.shareable,
    title: body.name ?? body.text ?? body.task ?? body.reason ?? '',
    reason: a.reason
  }
}

export function register (program: Command): void {
  program.command('status')
    .description('node identity, library counts and configuration summary')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, ctx => {
        const counts = ctx.library.counts()
        const byStatus = Object.fromEntries(STATUSES.map(s => [s, ctx.library.list({ status: s }).length]))
        const info = {
          peerId: ctx.identity.peerId.toString(), home: ctx.home, network: ctx.config.network, counts, byStatus,
          runtime: ctx.config.runtime.kind, embedder: ctx.config.embedder.kind
        }
        emit(cmd, info, () => {
          console.log(`node     ${ctx.identity.peerId.toString()}`)
          console.log(`home     ${ctx.home}`)
          console.log(`network  ${ctx.config.network}   runtime ${ctx.config.runtime.kind}   embedder ${ctx.config.embedder.kind}   policy ${ctx.config.policy}`)
          console.log(`library  ${KINDS.map(k => `${counts[k]} ${k}`).join(', ')}`)
          console.log(`status   ${STATUSES.map(s => `${byStatus[s]} ${s}`).join(', ')}`)
        })
      })
    }))

  const lib = program.command('library').description('list, show and remove artifacts in the local library')
  lib.command('list')
    .description('list artifacts')
    .option('--kind <kind>', `one of ${KINDS.join(', ')}`)
    .option('--domain <domain>')
    .option('--author <peerId>')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  baobab library list --kind adapter --status trusted --json')
    .action(action(async (opts: { kind?: string, domain?: string, author?: string, status?: string }, cmd: Command) => {
      if (opts.kind != null && !(KINDS as readonly string[]).includes(opts.kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`)
      await withContext(cmd, ctx => {
        const filter = { kind: opts.kind as Kind | undefined, domain: opts.domain, author: opts.author, status: opts.status as Status | undefined }
        const items = ctx.library.list(filter).map(summary)
        emit(cmd, items, () => {
          if (items.length === 0) console.log('(library is empty for this query)')
          for (const i of items) console.log(`${String(i.kind).padEnd(12)} ${String(i.status).padEnd(11)} ${i.cid}  ${String(i.title).slice(0, 60)}`)
        })
      })
    }))
  lib.command('show <cid>')
    .description('show one artifact in full')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, _opts: unknown, cmd: Command) => {
      await withContext(cmd, ctx => {
        const a = ctx.library.get(cid)
        if (a == null) throw new ArtifactNotFoundError(cid)
        const data = { ...summary(a), bytes: a.bytes.length, envelope: envelopeToJson(a.envelope) }
        emit(cmd, data, () => { console.log(JSON.stringify(data, null, 2)) })
      })
    }))
  lib.command('rm <cid>')
    .description('remove an artifact (and blobs no other artifact uses)')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, _opts: unknown, cmd: Command) => {
      await withContext(cmd, ctx => {
        // through trust, as `DELETE /api/library/:cid`: its decision and vote records go with it
        trustFromConfig(ctx).remove(cid)
        emit(cmd, { removed: cid }, () => { console.log(`removed ${cid}`) })
      })
    }))
}
