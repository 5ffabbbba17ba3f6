/** `baobab experience add|list|rm|publish|vote|votes`: the experience library from the command line. */
import { createEmbedder } from '../../router/index.ts'
import {
  ExperienceStore, agreementReputation, castVote, decideExperience, ownVerdict, parseExperienceForm, votesFor
} from '../../learn/index.ts'
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
    .description('sign a vote on an experience: up (+1) or down (-1)')
    .option('--score <s>', 'your confidence in it, 0..1')
    .option('--reason <code>', 'short reason code', 'reviewed')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, verdict: string, opts: { score?: string, reason: string }, cmd: Command) => {
      const v = ['up', '+1', '1'].includes(verdict) ? 1 : ['down', '-1'].includes(verdict) ? -1 : null
      if (v == null) throw new UsageError('verdict must be up or down')
      await withContext(cmd, async ctx => {
        const store = await openStore(ctx)
        store.get(cid)
        const score = parseUnit('--score', opts.score)
        const vote = await castVote(ctx.library, ctx.identity.privateKey, cid, v, { reason: opts.reason, ...(score != null ? { score } : {}) })
        emit(cmd, { vote: vote.cid.toString(), target: cid, verdict: v }, () => { console.log(`voted ${v > 0 ? '+1' : '-1'} on ${cid} (${vote.cid.toString()})`) })
      })
    }))

  exp.command('votes <cid>')
    .description('the votes held for an experience and what the robust 2/3 rule decides from them')
    .option('--json', 'print JSON')
    .action(action(async (cid: string, _opts: unknown, cmd: Command) => {
      await withContext(cmd, async ctx => {
        const store = await openStore(ctx)
        store.get(cid)
        const self = store.self
        const votes = votesFor(ctx.library, cid)
        const reputation = agreementReputation(ctx.library, self)
        const own = ownVerdict(ctx.library, self, cid)
        const decision = decideExperience(votes, reputation, own, { self })
        emit(cmd, { cid, votes: votes.map(v => ({ ...v, reputation: reputation(v.voter) ?? null })), own: own ?? null, decision }, () => {
          for (const v of votes) console.log(`${v.verdict > 0 ? '+1' : '-1'} ${v.voter}${v.score != null ? ` score ${v.score}` : ''} (reputation ${reputation(v.voter)?.toFixed(2) ?? 'unknown'})`)
          console.log(`${decision.decision}: ${decision.reason}`)
        })
      })
    }))
}
