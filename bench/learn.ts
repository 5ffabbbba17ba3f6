/**
 * Learning figures. The LLM is the scripted lesson world (test/learn/lesson-world.ts, a test
 * double: a solver that answers better when a format lesson is in its prompt, plus a scripted
 * summariser and critic), so these numbers show the loop's mechanics, not a real model's gain.
 *
 * - learning curve: mean training reward per epoch over 3 run seeds (group 5, 3 epochs, 12 tasks)
 * - held-out eval: accuracy with vs without the learned experiences over 5 seeds; baseline in the
 *   same run: the dry-run ablation (stage-2 operations computed but not applied)
 * - sketches: bytes per sketch vs float32, and how well sketch cosine tracks true cosine (built-in
 *   65,536-dim embedder, projected; and the 384-dim transformers model synthetic-bow-384 when
 *   ../shared has it — same shape as all-MiniLM-L6-v2, lexical similarity only)
 * - retrieval and ADD latency with 500 experiences (warm embedding cache vs cold)
 * - votes under a sybil flood: the seed's rule (median confidence × unique-node share) vs this
 *   node's trust layer (signed votes admitted through the pipeline, weighted by reputation)
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createArtifact } from '../src/artifacts/index.ts'
import { evaluateLearning } from '../src/eval/index.ts'
import { ExperienceStore, experienceSource, learn, loadGrader, readTasks, sketchCosine, sketchEmbedding } from '../src/learn/index.ts'
import { openLibrary } from '../src/library/index.ts'
import { cosine, hashEmbedder, transformersEmbedder } from '../src/embedding/index.ts'
import { createTrust } from '../src/trust/index.ts'
import { experienceBody, sign, tempDir } from '../test/trust/helpers.ts'
import { lessonWorld } from '../test/learn/lesson-world.ts'
import type { Embedder } from '../src/embedding/index.ts'
import type { PrivateKey } from '@libp2p/interface'

const tasks = readTasks(fileURLToPath(new URL('../test/fixtures/learn/arithmetic.jsonl', import.meta.url)))
const sharedData = new URL('../../shared/data/gossip-handshake/train/', import.meta.url)
const sharedModel = fileURLToPath(new URL('../../shared/models/synthetic-bow-384', import.meta.url))

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)
const sd = (xs: number[]): number => { const m = mean(xs); return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1)) }
const r3 = (x: number): number => Math.round(x * 1000) / 1000
function quantile (xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
}

async function learning (): Promise<Record<string, unknown>> {
  const curves: number[][] = []
  const deltas: number[] = []
  const withouts: number[] = []
  const withs: number[] = []
  const ablation: number[] = []
  const grader = await loadGrader('exact')
  for (const runSeed of [0, 1, 2]) {
    for (const dryRun of [false, true]) {
      const library = openLibrary({ home: ':memory:' })
      const embedder = hashEmbedder()
      const store = new ExperienceStore({ library, embedder, privateKey: await generateKeyPair('Ed25519') })
      const { runtime } = lessonWorld()
      const report = await learn({ store, runtime, grader, tasks, group: 5, epochs: 3, batchSize: 4, seed: runSeed, dryRun })
      const ev = await evaluateLearning({ runtime, grader, tasks, source: experienceSource(library, embedder), seeds: [1, 2, 3, 4, 5] })
      if (dryRun) ablation.push(ev.delta.mean)
      else {
        curves.push(report.epochs.map(e => e.meanReward))
        deltas.push(...ev.seeds.map(s => s.delta))
        withouts.push(...ev.seeds.map(s => s.without))
        withs.push(...ev.seeds.map(s => s.with))
        if (runSeed === 0) console.log(`run 0: without ${r3(ev.without.mean)} with ${r3(ev.with.mean)} delta ${r3(ev.delta.mean)} ± ${r3(ev.delta.sd)} → ${ev.verdict}`)
      }
      library.close()
    }
  }
  const curve = [0, 1, 2].map(e => r3(mean(curves.map(c => c[e]!))))
  const curveSd = [0, 1, 2].map(e => r3(sd(curves.map(c => c[e]!))))
  console.log(`learning curve (mean train reward per epoch): ${curve.join(' → ')}`)
  return {
    learningCurve: curve,
    learningCurveSd: curveSd,
    evalWithoutMean: r3(mean(withouts)),
    evalWithMean: r3(mean(withs)),
    evalDeltaMean: r3(mean(deltas)),
    evalDeltaSd: r3(sd(deltas)),
    evalDeltaMin: r3(Math.min(...deltas)),
    evalDeltaMax: r3(Math.max(...deltas)),
    evalDeltaRuns: deltas.length,
    ablationDeltaMean: r3(mean(ablation))
  }
}

function corpus (): string[] {
  const out: string[] = []
  if (existsSync(sharedData)) {
    for (const f of readdirSync(sharedData).sort()) {
      for (const line of readFileSync(new URL(f, sharedData), 'utf8').split('\n').slice(0, 12)) {
        if (line.trim() === '') continue
        const text = (JSON.parse(line) as { output: string }).output.split(/\s+/).slice(0, 40).join(' ')
        out.push(text, text.replace(/\.$/, '').replace(/, /, ' , ') + ' indeed.')
      }
    }
  } else {
    for (const t of tasks) out.push(t.question, `${t.question} Please answer.`)
  }
  return out
}

async function sketchFidelity (name: string, embedder: Embedder, texts: string[]): Promise<Record<string, unknown>> {
  const { embeddings } = await embedder.doEmbed({ values: texts })
  const sketches = embeddings.map(v => sketchEmbedding(v, embedder.id))
  const trueCos: number[] = []
  const estCos: number[] = []
  let tMs = 0
  let sMs = 0
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      let t = performance.now()
      trueCos.push(cosine(embeddings[i]!, embeddings[j]!))
      tMs += performance.now() - t
      t = performance.now()
      estCos.push(sketchCosine(sketches[i]!, sketches[j]!)!)
      sMs += performance.now() - t
    }
  }
  const mt = mean(trueCos)
  const me = mean(estCos)
  let num = 0; let dt = 0; let de = 0
  for (let k = 0; k < trueCos.length; k++) { num += (trueCos[k]! - mt) * (estCos[k]! - me); dt += (trueCos[k]! - mt) ** 2; de += (estCos[k]! - me) ** 2 }
  const dupTrue = trueCos.map(c => c > 0.9)
  const dupEst = estCos.map(c => c > 0.8)
  const tp = dupTrue.filter((d, k) => d && dupEst[k]).length
  const out = {
    [`${name}Dims`]: embedder.dims,
    [`${name}SketchBytes`]: sketches[0]!.bits.length + 4,
    [`${name}Float32Bytes`]: embedder.dims * 4,
    [`${name}Pairs`]: trueCos.length,
    [`${name}Pearson`]: r3(num / Math.sqrt(dt * de)),
    [`${name}MeanAbsError`]: r3(mean(trueCos.map((c, k) => Math.abs(c - estCos[k]!)))),
    [`${name}NearDuplicatePairs`]: dupTrue.filter(Boolean).length,
    [`${name}DupRecall`]: dupTrue.some(Boolean) ? r3(tp / dupTrue.filter(Boolean).length) : null,
    [`${name}DupPrecision`]: dupEst.some(Boolean) ? r3(tp / dupEst.filter(Boolean).length) : null,
    [`${name}CosineNsPerPair`]: Math.round(tMs * 1e6 / trueCos.length),
    [`${name}SketchNsPerPair`]: Math.round(sMs * 1e6 / trueCos.length)
  }
  console.log(name, out)
  return out
}

async function latency (): Promise<Record<string, unknown>> {
  const library = openLibrary({ home: ':memory:' })
  const embedder = hashEmbedder()
  const store = new ExperienceStore({ library, embedder, privateKey: await generateKeyPair('Ed25519') })
  const texts = corpus()
  const addMs: number[] = []
  for (let i = 0; i < 500; i++) {
    const text = `When case ${i} happens, ${texts[i % texts.length]!.split(' ').slice(0, 25).join(' ')} because it worked ${i} times.`
    const t = performance.now()
    await store.add({ text, domain: `d${i % 5}` })
    addMs.push(performance.now() - t)
  }
  const source = experienceSource(library, embedder)
  const warm: number[] = []
  for (let i = 0; i < 50; i++) {
    const t = performance.now()
    await source.relevant(`question ${i} about ${texts[i % texts.length]!.slice(0, 60)}`, { k: 5, tokenBudget: 256 })
    warm.push(performance.now() - t)
  }
  // baseline: a fresh source over a fresh cache table must embed all 500 experiences
  const library2 = openLibrary({ home: ':memory:' })
  for (const a of library.list()) library2.put(a, { status: a.status })
  const coldSource = experienceSource(library2, hashEmbedder())
  const t = performance.now()
  await coldSource.relevant('what should I do first?', { k: 5 })
  const coldMs = performance.now() - t
  library.close()
  library2.close()
  return {
    experiences: 500,
    addP50Ms: r3(quantile(addMs, 0.5)),
    addP95Ms: r3(quantile(addMs, 0.95)),
    retrieveWarmP50Ms: r3(quantile(warm, 0.5)),
    retrieveColdMs: r3(coldMs)
  }
}

interface BenchVote { voter: string, verdict: 1 | -1, score?: number }

/** Does the trust layer, holding these signed votes, vouch for the target? a, b, c are allow-listed; m and the sybils are strangers. */
async function trustAccepts (vs: BenchVote[], keys: Map<string, PrivateKey>): Promise<boolean> {
  const home = tempDir('baobab-bench-votes-')
  const library = openLibrary({ home })
  try {
    const trust = createTrust({ library, privateKey: await generateKeyPair('Ed25519') }, { allow: ['a', 'b', 'c'].map(v => peerIdFromPrivateKey(keys.get(v)!).toString()) })
    const target = await sign('experience', experienceBody('When goats cough in the wet season, check the shed for damp bedding first.'), await generateKeyPair('Ed25519'))
    library.put(target, { status: 'quarantined' })
    for (const v of vs) {
      let k = keys.get(v.voter)
      if (k == null) { k = await generateKeyPair('Ed25519'); keys.set(v.voter, k) }
      const vote = await createArtifact('vote', { target: target.cid, verdict: v.verdict, reason: 'reviewed', ...(v.score != null ? { score: v.score } : {}) }, k)
      await trust.admission.admit(vote.bytes, { source: { type: 'local' } })
    }
    return trust.votesOn(target.cid.toString()).tally.verdict === 1
  } finally {
    library.close()
    rmSync(home, { recursive: true, force: true })
  }
}

export async function votes (): Promise<Record<string, unknown>> {
  const keys = new Map<string, PrivateKey>()
  for (const v of ['a', 'b', 'c', 'm']) keys.set(v, await generateKeyPair('Ed25519'))
  const rows: Array<{ sybils: number, seedRuleAcceptsJunk: boolean, trustAcceptsJunk: boolean, trustAcceptsHonest: boolean }> = []
  for (const n of [0, 5, 20, 100, 1000]) {
    const junkVotes: BenchVote[] = [{ voter: 'm', verdict: 1, score: 0.99 }, ...Array.from({ length: n }, (_, i) => ({ voter: `s${i}`, verdict: 1 as const, score: 0.99 })), { voter: 'a', verdict: -1 }, { voter: 'b', verdict: -1 }]
    const honestVotes: BenchVote[] = [{ voter: 'c', verdict: 1, score: 0.8 }, { voter: 'a', verdict: 1, score: 0.9 }, { voter: 'm', verdict: -1 }, ...Array.from({ length: n }, (_, i) => ({ voter: `s${i}`, verdict: -1 as const }))]
    // the seed's rule: every distinct key is a node; median confidence (0 for −1) × unique share of all nodes
    const seedRule = (vs: BenchVote[], nodes: number): boolean => {
      const c = vs.map(v => (v.verdict > 0 ? v.score ?? 1 : 0)).sort((x, y) => x - y)
      const median = c[Math.floor(c.length / 2)] ?? 0
      return median * Math.min(vs.length / nodes, 1) >= 2 / 3
    }
    rows.push({
      sybils: n,
      seedRuleAcceptsJunk: seedRule(junkVotes, 4 + n),
      trustAcceptsJunk: await trustAccepts(junkVotes, keys),
      trustAcceptsHonest: await trustAccepts(honestVotes, keys)
    })
  }
  console.table(rows)
  return {
    voteRows: rows,
    seedRuleJunkAcceptedAtSybils: rows.filter(r => r.seedRuleAcceptsJunk).map(r => r.sybils),
    trustJunkAccepted: rows.filter(r => r.trustAcceptsJunk).length,
    trustHonestAccepted: rows.filter(r => r.trustAcceptsHonest).length,
    voteScenarios: rows.length
  }
}

export async function run (): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    llm: 'scripted lesson world (test double), not a real model',
    gainMeasuredIn: 'a scripted world: the LLM is a test double (test/learn/lesson-world.ts), so the eval delta shows the loop works, not what a real model gains',
    measureARealModel: 'baobab learn eval --tasks tasks.jsonl --grader exact --runtime openai --base-url http://127.0.0.1:8080/v1 --model <name> --seeds 1,2,3'
  }
  Object.assign(out, await learning())
  const texts = corpus()
  Object.assign(out, await sketchFidelity('builtin', hashEmbedder(), texts.slice(0, 120)))
  if (existsSync(sharedModel)) Object.assign(out, await sketchFidelity('bow384', transformersEmbedder({ modelPath: sharedModel }), texts.slice(0, 120)))
  Object.assign(out, await latency())
  Object.assign(out, await votes())
  return out
}
