/** `baobab experience add|list|rm|publish|vote|votes`: the experience library from the command line. */
import { createEmbedder } from '../../embedding/index.ts'
import { ExperienceStore, parseExperienceForm } from '../../learn/index.ts'
import { trustFromConfig } from '../../node/index.ts'
import { UsageError } from '../errors.ts'
import { action, emit, withContext } from '../context.ts'
import type { CliContext } from '../context.ts'
import type { ExperienceView } from '../../learn/index.ts'
import type { Command } from 'commander'

async function openStore (ctx: CliContext): Promise<ExperienceStore> {
  const embedder = await createEmbedder(ctx.config.embedder)
  return new ExperienceStore({ library: ctx.library, embedder, privateKey: ctx.identity.privateKey })
}

function row (v: ExperienceView): Record<string, unknown> {
  return {
    cid: v.cid,
    text: v.text,
    domain: v.domain,
    tags: v.tags,
    confidence: v.confidence,
    evidence: v.evidence,
    author: v.author,
    own: v.own,
    status: v.status,
    active: v.active,
    shareable: v.shareable,
    created: new Date(v.created).toISOString(),
    replaces: v.replaces,
    ...(v.inactiveReason != null ? { inactiveReason: v.inactiveReason } : {})
  }
}

function parseUnit (name: string, value: string | undefined): number | undefined {
  if (value == null) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${name} must be a number between 0 and 1`)
  return n
}

export function register (program: Command): void {
  const exp = program.command('experience').description('short learned lessons injected into prompts: add, list, remove, publish, vote')

  exp.command('add')
    .description('add an experience ("When <situation>, <do/avoid> <action> because <reason>", ≤ 40 words)')
    .requiredOption('--domain <domain>', 'domain it applies to (general = every domain)')
    .requiredOption('--text <text>', 'the lesson')
    .option('--tags <tags>', 'comma-separated tags (at most 8)')
    .option('--confidence <c>', 'confidence 0..1', '0.6')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  baobab experience add --domain veterinary --text "When a calf has scours, give oral rehydration salts first because dehydration kills faster than the infection."')
    .action(action(async (opts: { domain: string, text: string, tags?: string, confidence: string }, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const store = await openStore(ctx)
        const r = await store.add({
          text: opts.text,
          domain: opts.domain,
          tags: opts.tags == null ? [] : opts.tags.split(',').map(t => t.trim()).filter(t => t !== ''),
          confidence: parseUnit('--confidence', opts.confidence) ?? 0.6
        }, { origin: 'user' })
        const hint = parseExperienceForm(opts.text) == null ? 'tip: lessons work best as "When <situation>, <do/avoid> <action> because <reason>"' : undefined
        emit(cmd, { ...r, ...(hint != null ? { hint } : {}) }, () => {
          if (r.op === 'ADD') console.log(`added ${r.cid}`)
          else if (r.op === 'MERGE') console.log(`merged into ${r.cid} (near-duplicate of ${r.matched?.cid}, cosine ${r.matched?.cosine.toFixed(3)})`)
          else console.log(`unchanged: ${r.reason ?? 'already present'} (${r.cid})`)
          if (hint != null) console.error(hint)
        })
      })
    }))

  exp.command('list')
    .description('list experiences (active ones unless --all)')
    .option('--domain <domain>')
    .option('--all', 'include replaced, revoked, rejected and quarantined ones, with the reason')
    .option('--json', 'print JSON')
    .action(action(async (opts: { domain?: string, all?: boolean }, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const store = await openStore(ctx)
        const items = store.list({ ...(opts.domain != null ? { domain: opts.domain.toLowerCase() } : {}), activeOnly: opts.all !== true }).map(row)
        emit(cmd, items, () => {
          if (items.length === 0) console.log('(no experiences)')
          for (const i of items) {
            const flags = `${i.own === true ? 'own' : 'peer'}${i.shareable === true ? ',published' : ''}`
            console.log(`${String(i.cid)}  ${String(i.domain).padEnd(14)} ${String(i.status).padEnd(11)} ${flags.padEnd(14)} ${String(i.text)}`)
            if (i.inactiveReason != null) console.log(`    inactive: ${String(i.inactiveReason)}`)
          }
        })
      })
    }))

  exp.command('rm <cid>')
    .description('delete an experience: your own get a signed revocation, a peer\'s is rejected locally')
    .option('--reason <reason>', 'why', 'removed by the user')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, opts: { reason: string }, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const store = await openStore(ctx)
        const r = await store.remove(cid, { reason: opts.reason, origin: 'user' })
        emit(cmd, r, () => { console.log(`deleted ${cid} (${r.reason ?? ''})`) })
      })
    }))

  exp.command('publish [cids...]')
    .description('mark experiences shareable so the mesh offers them (default: all your active ones)')
    .option('--json', 'print JSON')
    .action(action(async (cids: string[], _opts: unknown, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const store = await openStore(ctx)
        const published = store.publish(cids)
        emit(cmd, { published }, () => { console.log(published.length === 0 ? 'nothing to publish' : `published ${published.length}: ${published.join(', ')}`) })
      })
    }))

  exp.command('vote <cid> <verdict>')
    .description('decide on a peer\'s experience: up approves it, down rejects it (a signed vote, recorded as your decision)')
    .option('--reason <text>', 'why (kept with the decision)')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, verdict: string, opts: { reason?: string }, cmd: Command) => {
      const v = ['up', '+1', '1'].includes(verdict) ? 1 : ['down', '-1'].includes(verdict) ? -1 : null
      if (v == null) throw new UsageError('verdict must be up or down')
      await withContext(cmd, async ctx => {
        const store = await openStore(ctx)
        const e = store.get(cid)
        if (e.own) throw new UsageError(`${cid} is your own experience: your vote on it does not count (remove it with \`baobab experience rm ${cid}\`)`)
        const trust = trustFromConfig(ctx)
        const wanted = v > 0 ? 'trusted' : 'rejected'
        const r = e.status === wanted
          ? { cid, status: e.status, reason: trust.decision(cid)?.reason ?? null, unchanged: true }
          : await (v > 0 ? trust.approve(cid, opts.reason) : trust.reject(cid, opts.reason))
        const d = trust.decision(cid)
        emit(cmd, { ...r, decision: d ?? null }, () => {
          console.log(`${'unchanged' in r ? 'already ' : ''}${r.status}: ${r.reason ?? ''}${d?.voteCid != null ? ` (your vote ${d.voteCid})` : ''}`)
        })
      })
    }))

  exp.command('votes <cid>')
    .description('this node\'s decision on an experience (from the trust journal) and the votes it holds, each with its weight here')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, _opts: unknown, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const store = await openStore(ctx)
        const e = store.get(cid)
        const trust = trustFromConfig(ctx)
        const decision = trust.decision(cid) ?? null
        const { votes, tally } = trust.votesOn(cid)
        emit(cmd, { cid, status: e.status, decision, votes, tally }, () => {
          console.log(decision != null
            ? `${decision.status} by ${decision.decidedBy} (${decision.code}): ${decision.reason}`
            : `${e.status}: ${e.own ? 'your own experience (not judged)' : 'no decision recorded yet'}`)
          for (const x of votes) console.log(`${x.verdict > 0 ? '+1' : '-1'} ${x.voter} ${x.reason}${x.score != null ? ` score ${x.score}` : ''} (weight ${x.weight.toFixed(2)})`)
          console.log(`votes: ${tally.summary}`)
        })
      })
    }))
}
