import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { describe, it } from 'node:test'
import { tfidfRouter } from '../../src/eval/index.ts'
import { loadExpertDir, loadLabeledQuestions } from '../../src/eval/router/data.ts'
import { bestBalanced, sweepBaseline, tally } from '../../src/eval/router/tally.ts'
import { hashEmbedder } from '../../src/embedding/index.ts'
import { Router } from '../../src/router/index.ts'
import { GENERAL_QUESTIONS } from '../../src/router/general-questions.ts'
import type { Embedder, EmbedOptions, FittableEmbedder } from '../../src/embedding/index.ts'
import type { ExpertInput } from '../../src/router/index.ts'

const FILES = ['agronomy', 'veterinary', 'irrigation', 'soil-science', 'aquaculture']

/** The demo's community cards (data/communities, CC0): 10 general Q&A pairs per domain. */
function communityExperts (): ExpertInput[] {
  return FILES.map(f => ({
    id: `card-${f}`,
    name: `${f}-card`,
    domain: f.replace('-', '_'),
    exemplars: readFileSync(new URL(`../../data/communities/${f}.jsonl`, import.meta.url), 'utf8')
      .trim().split('\n').map(l => JSON.parse(l) as { q: string, a: string })
  }))
}

/** Counts the texts a real embedder is asked to embed (wraps it; the vectors are its own). */
function counting<E extends FittableEmbedder> (inner: E): { embedder: E, texts: string[] } {
  const texts: string[] = []
  const embedPacked = inner.embedPacked.bind(inner)
  inner.embedPacked = (t: string) => { texts.push(t); return embedPacked(t) }
  return { embedder: inner, texts }
}

describe('router', () => {
  it('routes community questions and abstains out of domain, with a full decision', async () => {
    const router = new Router()
    await router.setExperts(communityExperts())
    const d = await router.route('My goat kids have runny droppings and are weak, what should I give them?')
    assert.equal(d.abstained, false, d.reason)
    assert.equal(d.choice?.domain, 'veterinary')
    assert.equal(d.reasonCode, 'confident')
    assert.equal(d.choice?.id, d.scores[0]?.id)
    for (let i = 1; i < d.scores.length; i++) assert.ok(d.scores[i - 1]!.score >= d.scores[i]!.score, 'scores sorted best first')
    assert.equal(d.scores.length, 5)
    assert.ok(d.topExemplars.length > 0 && d.topExemplars.length <= 5)
    assert.ok(d.choiceExemplars.every(x => x.expertId === 'card-veterinary'))
    assert.ok(d.margin > 0 && d.threshold > 0)
    assert.match(d.reason, /veterinary/)

    const off = await router.route('Which team won the 2010 football World Cup?')
    assert.equal(off.abstained, true)
    assert.equal(off.choice, null)
    assert.notEqual(off.reasonCode, 'confident')
    assert.deepEqual(off.choiceExemplars, [])
    assert.equal(off.scores.length, 5, 'scores are reported even when abstaining')
  })

  it('calibrates automatically by leave-one-out and reports what it found', async () => {
    const router = new Router()
    await router.setExperts(communityExperts())
    const c = await router.calibrate()
    assert.equal(c.n, 50)
    assert.ok(c.threshold > 0.02 && c.threshold < 0.5, `threshold ${c.threshold}`)
    assert.ok(c.minCoverage > 0 && c.minCoverage < 1)
    assert.equal(c.minEvidence, 1)
    assert.ok(c.looAccuracy > 0.6, `leave-one-out accuracy ${c.looAccuracy}`)
    assert.ok(c.looAccepted > 0.5, `leave-one-out accepted ${c.looAccepted}`)
    // the threshold is set against the shipped everyday questions: about 90% of them abstain here
    assert.ok(c.generalQuestions > 100)
    assert.ok(c.generalAbstained >= 0.85 && c.generalAbstained < 1, `general abstained ${c.generalAbstained}`)
  })

  it('routes the non-agricultural dev split better than the TF-IDF baseline at its best threshold', async () => {
    const experts = loadExpertDir(new URL('../fixtures/router-dev/experts', import.meta.url).pathname)
    const dev = loadLabeledQuestions(new URL('../fixtures/router-dev/questions.jsonl', import.meta.url).pathname).filter(q => q.split === 'dev')
    const router = new Router()
    await router.setExperts(experts)
    await router.calibrate()
    const para = dev.filter(q => q.domain != null)
    const ood = dev.filter(q => q.domain == null)
    const p = tally(para, await Promise.all(para.map(async q => router.route(q.question))))
    const o = tally(ood, await Promise.all(ood.map(async q => router.route(q.question))))
    // measured on the dev split: 22/40 routed right, 17/20 abstained
    assert.ok(p.accuracy >= 0.5, `in-domain ${p.correct}/${p.n}`)
    assert.ok(o.accuracy >= 0.8, `out of domain abstained ${o.correct}/${o.n}`)
    const baseline = tfidfRouter({ useAnswers: true })
    baseline.setExperts(experts)
    const best = bestBalanced(sweepBaseline(baseline, para, ood, Array.from({ length: 31 }, (_, i) => i * 0.02)))!
    assert.ok(p.accuracy + o.accuracy > best.inDomainAccuracy + best.oodAbstained,
      `router ${p.accuracy}/${o.accuracy} vs baseline best ${best.inDomainAccuracy}/${best.oodAbstained}`)
  })

  it('calibrates against everyday questions that share none with the evaluation fixtures', () => {
    const norm = (t: string): string => t.toLowerCase().replace(/[^a-z ]/g, '').trim()
    const general = new Set(GENERAL_QUESTIONS.map(norm))
    const fixtures = ['../fixtures/paraphrases.jsonl', '../fixtures/router-dev/questions.jsonl']
      .flatMap(f => readFileSync(new URL(f, import.meta.url), 'utf8').trim().split('\n').map(l => (JSON.parse(l) as { question: string }).question))
    assert.ok(general.size > 100)
    assert.deepEqual(fixtures.filter(q => general.has(norm(q))), [])
  })

  it('adds an expert without re-embedding the others, and refits once drift passes the limit', async () => {
    const { embedder, texts } = counting(hashEmbedder())
    const router = new Router({ embedder })
    const experts = communityExperts()
    await router.setExperts(experts.slice(0, 4))
    await router.calibrate()
    const idBefore = embedder.id
    texts.length = 0
    const small: ExpertInput = { ...experts[4]!, exemplars: experts[4]!.exemplars.slice(0, 5) }
    await router.addExpert(small)
    const d = await router.route('Fish are gasping at the surface of my pond at dawn')
    assert.equal(d.choice?.domain, 'aquaculture')
    // exemplar items are "question\nanswer" texts (calibration re-embeds bare questions only)
    const items = texts.filter(t => t.includes('\n'))
    assert.equal(items.length, 5)
    assert.ok(items.every(t => small.exemplars.some(x => t.startsWith(x.q))), 'only the new expert was embedded')
    assert.equal(embedder.id, idBefore, 'no refit for 5 new documents on 40')

    texts.length = 0
    await router.addExpert(experts[4]!) // replaces: 10 + 5 more changed documents → past 25% of 40
    await router.route('How deep should I plant maize seed?')
    assert.notEqual(embedder.id, idBefore, 'refitted')
    assert.ok(texts.length >= 2 * 50, 'every expert re-embedded after the refit')
    assert.equal(router.size, 5)
  })

  it('removes experts', async () => {
    const router = new Router()
    await router.setExperts(communityExperts())
    assert.equal(router.removeExpert('card-aquaculture'), true)
    assert.equal(router.removeExpert('card-aquaculture'), false)
    const d = await router.route('How many tilapia fingerlings should I stock per square metre of pond?')
    assert.ok(d.scores.every(s => s.id !== 'card-aquaculture'))
    assert.notEqual(d.choice?.domain, 'aquaculture')
    assert.equal(router.size, 4)
  })

  it('learns from feedback and keeps it in the database', async () => {
    const db = new DatabaseSync(':memory:')
    const router = new Router({ db })
    await router.setExperts(communityExperts())
    const question = 'How long can I keep honey from my beehives before it spoils?'
    const before = await router.route(question)
    assert.notEqual(before.choice?.domain, 'agronomy')
    const r = await router.feedback({ question, expertId: 'card-agronomy' })
    assert.equal(r.applied, 'exemplar')
    const after = await router.route(question)
    assert.equal(after.choice?.domain, 'agronomy', after.reason)

    const wrong = 'How do I irrigate my lawn with a garden sprinkler for a party?'
    const routed = await router.route(wrong)
    if (routed.abstained) await router.feedback({ question: wrong, expertId: 'card-irrigation' })
    await router.feedback({ question: wrong, expertId: null })
    const now = await router.route(wrong)
    assert.equal(now.abstained, true)
    assert.equal(now.reasonCode, 'negative-feedback')

    await assert.rejects(router.feedback({ question, expertId: 'nope' }), { name: 'ExpertNotFoundError' })
    await assert.rejects(router.feedback({ question: '', expertId: null }), { name: 'InvalidQuestionError' })

    const reopened = new Router({ db })
    await reopened.setExperts(communityExperts())
    assert.equal((await reopened.route(question)).choice?.domain, 'agronomy', 'feedback persisted')
    assert.equal((await reopened.route(wrong)).abstained, true)
    const rows = db.prepare('SELECT count(*) AS n FROM router_feedback').get() as { n: number }
    assert.ok(Number(rows.n) >= 2)
  })

  it('stores its calibration and reuses it for the same index', async () => {
    const db = new DatabaseSync(':memory:')
    const a = new Router({ db })
    await a.setExperts(communityExperts())
    const ca = await a.calibrate()
    const stored = db.prepare("SELECT value FROM router_state WHERE key = 'calibration'").get() as { value: string }
    assert.equal(JSON.parse(stored.value).fingerprint, ca.fingerprint)
    const b = new Router({ db })
    await b.setExperts(communityExperts())
    assert.deepEqual(await b.calibrate(), ca)
    const c = new Router({ db })
    await c.setExperts(communityExperts().slice(0, 3))
    assert.notEqual((await c.calibrate()).fingerprint, ca.fingerprint)
  })

  it('rejects bad questions and bad experts with named errors', async () => {
    const router = new Router({ maxQuestionChars: 200 })
    const empty = await router.route('anything at all')
    assert.equal(empty.reasonCode, 'empty-library')
    assert.equal(empty.abstained, true)
    await router.setExperts(communityExperts())
    await assert.rejects(router.route('   '), { name: 'InvalidQuestionError' })
    await assert.rejects(router.route('x'.repeat(201)), { name: 'InvalidQuestionError' })
    await assert.rejects(router.route(42 as unknown as string), { name: 'InvalidQuestionError' })
    await assert.rejects(router.addExpert({ id: 'e', name: 'e', domain: 'd', exemplars: [] }), { name: 'InvalidExpertError' })
    await assert.rejects(router.addExpert({ id: '', name: 'e', domain: 'd', exemplars: [{ q: 'q' }] }), { name: 'InvalidExpertError' })
    await assert.rejects(router.addExpert({ id: 'e', name: 'e', domain: 'd', exemplars: [{ q: ' ' }] }), { name: 'InvalidExpertError' })
    const dup = communityExperts()
    await assert.rejects(router.setExperts([dup[0]!, dup[0]!]), { name: 'InvalidExpertError' })
    assert.equal(router.size, 5, 'a rejected setExperts leaves the index as it was')
  })

  it('honours an aborted signal', async () => {
    const router = new Router()
    await router.setExperts(communityExperts())
    const reason = new Error('cancelled')
    await assert.rejects(router.route('How do I water beans?', { signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason)
  })

  it('works with a dense, non-fittable embedder and caches its vectors in SQLite', async () => {
    const inner = hashEmbedder({ dims: 1024 })
    inner.fit(communityExperts().flatMap(e => e.exemplars.map(x => `${x.q}\n${x.a}`)))
    let calls = 0
    // a plain Embedder (no fit/embedPacked), like a remote or transformers model
    const dense: Embedder = {
      specificationVersion: 'v1', provider: 'test', modelId: 'fixed-idf', id: 'test:fixed-idf', dims: 1024,
      doEmbed: async (o: EmbedOptions) => { calls += o.values.length; return { embeddings: o.values.map(v => inner.embedSync(v)) } }
    }
    const db = new DatabaseSync(':memory:')
    const a = new Router({ embedder: dense, db })
    await a.setExperts(communityExperts())
    const d = await a.route('fish gasping at dawn in my pond')
    assert.equal(d.choice?.domain, 'aquaculture')
    assert.equal(d.coverage, 1, 'no vocabulary checks without a fittable embedder')
    const first = calls
    const b = new Router({ embedder: dense, db })
    await b.setExperts(communityExperts())
    await b.calibrate()
    assert.equal(calls, first, 'exemplar vectors came from the router_embeddings table')
  })
})
