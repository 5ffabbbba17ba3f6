/**
 * `baobab trust status | quarantine list|approve|reject | peers | refusals | revoke | allow | deny | unlist | recheck`.
 * Every decision shown carries its reason.
 */
import { trustFromConfig, trustWithChecks } from '../../node/index.ts'
import { action, emit, withContext } from '../context.ts'
import type { Command } from 'commander'

function short (s: string | null | undefined, n = 16): string {
  if (s == null) return '-'
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`
}

function when (ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
}

export function register (program: Command): void {
  const trust = program.command('trust').description('quarantine, reputation, revocation and peer lists (every decision with its reason)')

  trust.command('status')
    .description('policy, the checks this node can run (canary, experience A/B, reproduction), artifacts by status, decisions, refusals, peers')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const { trust: t, close } = await trustWithChecks(ctx)
        const s = t.status()
        const recent = t.refusals(5)
        await close()
        emit(cmd, { ...s, recentRefusals: recent }, () => {
          console.log(`policy     ${s.policy}`)
          console.log('checks     what this node runs on what peers send:')
          for (const [name, c] of Object.entries(s.checks)) console.log(`  ${name.padEnd(13)} ${c.available ? 'yes' : 'no '}  ${c.detail}`)
          console.log(`artifacts  ${Object.entries(s.byStatus).map(([k, v]) => `${v} ${k}`).join(', ')}`)
          console.log(`decisions  ${Object.entries(s.decisions).map(([k, v]) => `${v} ${k}`).join(', ') || 'none yet'}`)
          console.log(`peers      ${s.peers.known} known, ${s.peers.allowed} allowed, ${s.peers.denied} denied`)
          console.log(`refusals   ${s.refusals} before storage${recent.length > 0 ? '; latest:' : ''}`)
          for (const r of recent) console.log(`  ${when(r.at)}  ${r.stage.padEnd(13)} ${short(r.cid, 20)}  ${r.reason}`)
        })
      })
    }))

  const q = trust.command('quarantine').description('artifacts waiting for a decision')
  q.command('list')
    .description('list quarantined artifacts and why they wait')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, ctx => {
        const items = trustFromConfig(ctx).quarantined()
        emit(cmd, items, () => {
          if (items.length === 0) console.log('(quarantine is empty)')
          for (const i of items) console.log(`${i.kind.padEnd(12)} ${i.cid}  from ${short(i.sourcePeer, 20)}\n  reason: ${i.reason ?? '(none recorded)'}`)
        })
      })
    }))
  for (const verb of ['approve', 'reject'] as const) {
    q.command(`${verb} <cid>`)
      .description(verb === 'approve' ? 'trust an artifact by hand (signs a +1 vote)' : 'reject an artifact by hand (signs a −1 vote)')
      .option('--reason <text>', 'why (recorded with the decision)')
      .option('--json', 'print JSON')
      .action(action(async (cid: string, opts: { reason?: string }, cmd: Command) => {
        await withContext(cmd, async ctx => {
          const t = trustFromConfig(ctx)
          const r = verb === 'approve' ? await t.approve(cid, opts.reason) : await t.reject(cid, opts.reason)
          emit(cmd, r, () => { console.log(`${r.cid} → ${r.status}: ${r.reason ?? ''}`) })
        })
      }))
  }

  trust.command('peers')
    .description('every peer judged here: reputation, vote weight, list membership, and its artifacts and votes by decision')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, ctx => {
        const peers = trustFromConfig(ctx).peers()
        emit(cmd, peers, () => {
          if (peers.length === 0) console.log('(no peer has been judged yet)')
          for (const p of peers) {
            const a = p.artifacts
            console.log(`${p.peer}  ${(p.list ?? '').padEnd(5)} score ${p.score.toFixed(2)} weight ${p.weight.toFixed(2)}  ` +
              `accepted ${p.accepted} rejected ${p.rejected} agree ${p.agree} disagree ${p.disagree} violations ${p.violations}${p.note != null ? `  (${p.note})` : ''}\n` +
              `  artifacts ${a.trusted} trusted, ${a.quarantined} held, ${a.rejected} rejected, ${a.revoked} revoked; ${p.votes} votes; ${p.refused} refused before storage`)
          }
        })
      })
    }))

  trust.command('refusals')
    .description('artifacts and bytes refused before storage, newest first, with reasons')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(action(async (opts: { limit: string }, cmd: Command) => {
      await withContext(cmd, ctx => {
        const rows = trustFromConfig(ctx).refusals(Math.max(1, Number.parseInt(opts.limit, 10) || 50))
        emit(cmd, rows, () => {
          if (rows.length === 0) console.log('(nothing refused)')
          for (const r of rows) console.log(`${when(r.at)}  ${r.stage.padEnd(13)} ${short(r.cid, 20)}  ${r.source}\n  reason: ${r.reason}`)
        })
      })
    }))

  trust.command('revoke <cid>')
    .description('revoke an artifact this node authored (peers that receive the revocation stop using and serving it)')
    .option('--reason <text>', 'why', 'revoked by its author')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, opts: { reason: string }, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const r = await trustFromConfig(ctx).revoke(cid, opts.reason)
        emit(cmd, r, () => { console.log(`revoked ${r.target} (revocation ${r.revocation}): ${opts.reason}`) })
      })
    }))

  for (const [verb, list] of [['allow', 'allow'], ['deny', 'deny'], ['unlist', null]] as const) {
    trust.command(`${verb} <peerId>`)
      .description(verb === 'deny' ? 'deny-list a peer and purge everything it authored' : verb === 'allow' ? 'allow-list a peer: its votes count fully, strict policy trusts its artifacts' : 'remove a peer from both lists')
      .option('--note <text>', 'why (shown by `trust peers`)')
      .option('--json', 'print JSON')
      .action(action(async (peer: string, opts: { note?: string }, cmd: Command) => {
        await withContext(cmd, ctx => {
          const r = trustFromConfig(ctx).setPeer(peer, list, opts.note)
          emit(cmd, r, () => { console.log(`${r.peer.peer} ${list ?? 'unlisted'}${r.purged > 0 ? `; purged ${r.purged} artifact(s)` : ''}`) })
        })
      }))
  }

  trust.command('recheck')
    .description('review everything in quarantine again (votes or reproductions may have arrived)')
    .option('--json', 'print JSON')
    .action(action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const results = await trustFromConfig(ctx).recover()
        emit(cmd, results, () => {
          if (results.length === 0) console.log('(quarantine is empty)')
          for (const r of results) console.log(`${r.cid} → ${r.status}: ${r.reason ?? ''}`)
        })
      })
    }))
}
