/**
 * The adversarial suite, long form (`npm run bench -- adversarial`); the short form runs in
 * `npm test` (test/adversarial/). Product nodes (`createNode`, each with its own config, home,
 * SQLite library and libp2p node on TCP loopback); the two canary nodes run the tiny GGUF as
 * their model, so the canary, A/B check and reproduction are the ones the product wires:
 *
 * - attack run: 16 nodes, 30% malicious (poisoned adapters, junk and injection experiences,
 *   inflated outcomes, replays, malformed messages, announcement floods, sybil votes, poison
 *   through one-shot sync and a CAR import);
 * - baseline in the same run: the same honest content with no attacker (0% malicious), for the
 *   convergence time and honest traffic the attacks cost;
 * - fuzzing: ≥ 10,000 random and mutated inputs per decoder a peer can reach, with crash, hang
 *   and memory figures;
 * - crash safety: 50 SIGKILLs of a child admitting artifacts, each followed by an integrity check
 *   and recovery.
 *
 * `BAOBAB_BENCH_ADV_SHORT=1` (or `npm run bench -- adversarial --short`) runs only the attack run,
 * without the baseline, fuzzing and crash rounds.
 */
import { rmSync } from 'node:fs'
import { fuzz, fuzzTargets } from '../test/adversarial/fuzz.ts'
import { runScenario } from '../test/adversarial/scenario.ts'
import { crashRound } from '../test/trust/crash-round.ts'
import { tempDir } from '../test/trust/helpers.ts'
import type { ScenarioInit, ScenarioResult } from '../test/adversarial/scenario.ts'

const NODES = Number(process.env.BAOBAB_BENCH_ADV_NODES ?? 16)
const FUZZ_CASES = Number(process.env.BAOBAB_BENCH_FUZZ_CASES ?? 10_000)

async function scenario (maliciousShare: number): Promise<ScenarioResult> {
  const init: ScenarioInit = {
    nodes: NODES,
    maliciousShare,
    canaryNodes: 2,
    sybilsPerAttacker: 3,
    floodAnnouncements: 300,
    malformedPerAttacker: 4,
    log: line => { console.log(`  [${Math.round(maliciousShare * 100)}%] ${line}`) }
  }
  return runScenario(init)
}

async function fuzzAll (): Promise<Record<string, unknown>> {
  const t = await fuzzTargets(true)
  const rss0 = process.memoryUsage().rss
  let maxRss = rss0
  const perDecoder: Record<string, { cases: number, accepted: number, crashes: number, hangs: number, slowestMs: number }> = {}
  try {
    for (const target of t.targets) {
      const r = await fuzz(target, FUZZ_CASES, 20_261_123)
      perDecoder[r.name] = { cases: r.cases, accepted: r.accepted, crashes: r.crashes, hangs: r.hangs, slowestMs: r.slowestMs }
      maxRss = Math.max(maxRss, process.memoryUsage().rss)
      console.log(`  fuzz ${r.name}: ${r.cases} cases, ${r.accepted} accepted, ${r.crashes} crashes, ${r.hangs} hangs, slowest ${r.slowestMs} ms${r.crashSamples.length > 0 ? `: ${r.crashSamples.slice(0, 2).join('; ')}` : ''}`)
    }
  } finally {
    t.close()
  }
  const all = Object.values(perDecoder)
  return {
    fuzzDecoders: all.length,
    fuzzCasesPerDecoder: Math.min(...all.map(r => r.cases)),
    fuzzCrashes: all.reduce((s, r) => s + r.crashes, 0),
    fuzzHangs: all.reduce((s, r) => s + r.hangs, 0),
    fuzzSlowestMs: Math.max(...all.map(r => r.slowestMs)),
    fuzzRssGrowthMB: Math.round((maxRss - rss0) / 2 ** 20),
    fuzz: perDecoder
  }
}

/** SIGKILL during admission at random points, `CRASH_ROUNDS` times, on one growing library. */
async function crashes (rounds = Number(process.env.BAOBAB_BENCH_CRASH_ROUNDS ?? 50)): Promise<Record<string, number>> {
  const home = tempDir('baobab-bench-crash-')
  let afterKill = 0
  let afterRecovery = 0
  let leftQuarantined = 0
  let admitted = 0
  try {
    for (let round = 0; round < rounds; round++) {
      const r = await crashRound(home, round + 1, 3 + ((round * 7) % 13))
      afterKill += r.problemsAfterKill.length
      afterRecovery += r.problemsAfterRecovery.length
      leftQuarantined += r.quarantinedAfterRecovery
      admitted += r.admitted
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
  console.log(`  crash safety: ${rounds} SIGKILLs, ${admitted} admitted, problems after kill ${afterKill}, after recovery ${afterRecovery}`)
  return {
    crashRounds: rounds,
    crashAdmitted: admitted,
    crashProblemsAfterKill: afterKill,
    crashProblemsAfterRecovery: afterRecovery,
    crashLeftQuarantined: leftQuarantined
  }
}

const SHORT = process.env.BAOBAB_BENCH_ADV_SHORT === '1' || process.argv.includes('--short')

function attackFigures (attack: ScenarioResult): Record<string, unknown> {
  return {
    nodes: attack.nodes,
    maliciousShare: attack.maliciousShare,
    malicious: attack.malicious,
    poisonedPublished: attack.poisonedPublished,
    poisonedAccepted: attack.poisonedAccepted,
    honestAcceptedRate: attack.honestAcceptedRate,
    honestLeftInQuarantine: attack.honestLeftInQuarantine,
    timeToConvergeMs: attack.timeToConvergeMs,
    syncRounds: attack.syncRounds,
    honestBytes: attack.honestBytes,
    trustTrafficShare: attack.trustTrafficShare,
    maliciousBytesAbsorbed: attack.maliciousBytesAbsorbed,
    sybilVotes: attack.sybilVotes,
    maxSybilWeight: attack.maxSybilWeight,
    floodAnnouncements: attack.floodAnnouncements,
    floodIgnoredByGuards: attack.floodIgnoredByGuards,
    replayRefusedOrRevoked: attack.replayRefusedOrRevoked,
    malformedSent: attack.malformedSent,
    malformedRefusedNamed: attack.malformedRefusedNamed,
    rejectionsWithoutReason: attack.rejectionsWithoutReason,
    integrityProblems: attack.integrityProblems.length,
    attackerGossipScore: attack.attackerGossipScore,
    localReproductions: attack.localReproductions,
    syncPathPoisonOffered: attack.syncPath?.offered ?? 0,
    syncPathPoisonAccepted: attack.syncPath?.accepted ?? 0,
    carPathPoisonOffered: (attack.carPath?.offered ?? 0) * 2,
    carPathPoisonAccepted: attack.carPath?.accepted ?? 0,
    crossSiteRequests: attack.webPath?.requests ?? 0,
    crossSiteRefused: attack.webPath?.refused ?? 0,
    crossSitePoisonOffered: attack.webPath?.offered ?? 0,
    crossSitePoisonAccepted: attack.webPath?.accepted ?? 0,
    syncPathOutcomes: attack.syncPath?.outcomes ?? {},
    carPathOutcomes: attack.carPath?.outcomes ?? {},
    targets: {
      poisonedAccepted: '≤ 0',
      honestAcceptedRate: '≥ 0.95',
      syncPathPoisonAccepted: '≤ 0',
      carPathPoisonAccepted: '≤ 0',
      crossSitePoisonAccepted: '≤ 0',
      maxSybilWeight: '≤ 0',
      integrityProblems: '≤ 0'
    }
  }
}

export async function run (): Promise<Record<string, unknown>> {
  if (SHORT) return { short: true, ...attackFigures(await scenario(0.3)) }
  const baseline = await scenario(0)
  const attack = await scenario(0.3)
  const fuzzed = await fuzzAll()
  const crashed = await crashes()
  const ratio = (a: number, b: number): number => Math.round((a / Math.max(b, 1)) * 100) / 100
  return {
    ...attackFigures(attack),
    baselineTimeToConvergeMs: baseline.timeToConvergeMs,
    convergeTimeVsBaseline: ratio(attack.timeToConvergeMs, baseline.timeToConvergeMs),
    baselineHonestBytes: baseline.honestBytes,
    ...fuzzed,
    ...crashed
  }
}
