/**
 * The recall evaluation's data: a folder laid out like gossip-handshake (`eval.jsonl` with
 * `{set, id, domain, question, keywords}` per line, `train/<domain>_dataset.jsonl` or
 * `train/<domain>.jsonl` with `instruction`/`output` pairs, optional `results.json` with the
 * reference scores). Experts are built from the training files only.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { loadExpertDir } from '../router/data.ts'
import { InvalidEvalDataError } from '../errors.ts'
import type { ExpertInput } from '../../router/index.ts'

export interface RecallQuestion {
  set: string
  id: string
  domain: string
  question: string
  keywords: string[]
}

export interface RecallSet {
  name: string
  /** Domains in order of first appearance in eval.jsonl. */
  domains: string[]
  questions: RecallQuestion[]
  /** One expert per domain, from `train/` only. */
  experts: ExpertInput[]
}

export interface RecallData {
  dir: string
  sets: RecallSet[]
  /** Parsed results.json, when the folder has one. */
  results: unknown
}

/** Why the data cannot be found, or null when `dir` looks like an eval data folder. */
export function missingDataReason (dir: string): string | null {
  if (!existsSync(dir)) return `no evaluation data at ${dir} (the gossip-handshake extract lives in ../shared, which a fresh clone does not have; pass --data <dir> or set BAOBAB_EVAL_DATA)`
  if (!statSync(dir).isDirectory()) return `${dir} is not a folder`
  for (const need of ['eval.jsonl', 'train']) {
    if (!existsSync(join(dir, need))) return `${dir} has no ${need} (expected eval.jsonl and train/*.jsonl)`
  }
  return null
}

function str (file: string, line: number, o: Record<string, unknown>, key: string): string {
  const v = o[key]
  if (typeof v !== 'string' || v.trim() === '') throw new InvalidEvalDataError(file, `"${key}" must be a non-empty string`, line)
  return v
}

/** Parses eval.jsonl; every line needs set, id, domain, question and a non-empty keyword list. */
export function parseRecallQuestions (text: string, file = 'eval.jsonl'): RecallQuestion[] {
  const out: RecallQuestion[] = []
  const seen = new Set<string>()
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return
    const line = i + 1
    let o: unknown
    try {
      o = JSON.parse(raw)
    } catch (err) {
      throw new InvalidEvalDataError(file, 'not valid JSON', line, { cause: err })
    }
    if (o == null || typeof o !== 'object' || Array.isArray(o)) throw new InvalidEvalDataError(file, 'expected a JSON object', line)
    const r = o as Record<string, unknown>
    const q: RecallQuestion = {
      set: str(file, line, r, 'set'),
      id: str(file, line, r, 'id'),
      domain: str(file, line, r, 'domain'),
      question: str(file, line, r, 'question'),
      keywords: []
    }
    const kws = r.keywords
    if (!Array.isArray(kws) || kws.length === 0 || !kws.every(k => typeof k === 'string' && k !== '')) {
      throw new InvalidEvalDataError(file, '"keywords" must be a non-empty list of non-empty strings', line)
    }
    q.keywords = kws as string[]
    const key = `${q.set}/${q.id}`
    if (seen.has(key)) throw new InvalidEvalDataError(file, `question ${key} appears twice`, line)
    seen.add(key)
    out.push(q)
  })
  if (out.length === 0) throw new InvalidEvalDataError(file, 'no questions')
  return out
}

/** results.json's domain order for a set when it lists exactly the set's domains, else `found`. */
function domainOrder (results: unknown, set: string, found: string[]): string[] {
  const listed = (results as { domains?: Record<string, unknown> } | null)?.domains?.[set]
  if (!Array.isArray(listed) || listed.length !== found.length || !found.every(d => listed.includes(d))) return found
  return listed as string[]
}

/** Groups questions by set (in order of appearance) and builds each set's experts from train/. */
export function loadRecallData (dir: string, options: { sets?: string[] } = {}): RecallData {
  const file = join(dir, 'eval.jsonl')
  const questions = parseRecallQuestions(readFileSync(file, 'utf8'), file)
  const names = [...new Set(questions.map(q => q.set))]
  for (const s of options.sets ?? []) {
    if (!names.includes(s)) throw new InvalidEvalDataError(file, `has no set "${s}" (sets: ${names.join(', ')})`)
  }
  let results: unknown = null
  const resultsFile = join(dir, 'results.json')
  if (existsSync(resultsFile)) {
    try {
      results = JSON.parse(readFileSync(resultsFile, 'utf8'))
    } catch (err) {
      throw new InvalidEvalDataError(resultsFile, 'not valid JSON', undefined, { cause: err })
    }
  }
  const trainDir = join(dir, 'train')
  const sets: RecallSet[] = []
  for (const name of names.filter(n => options.sets == null || options.sets.includes(n))) {
    const qs = questions.filter(q => q.set === name)
    const domains = domainOrder(results, name, [...new Set(qs.map(q => q.domain))])
    const experts = loadExpertDir(trainDir, { domains })
    const missing = domains.filter(d => !experts.some(e => e.domain === d))
    if (missing.length > 0) throw new InvalidEvalDataError(trainDir, `no training file for domain(s) ${missing.join(', ')} of set "${name}" (expected <domain>_dataset.jsonl)`)
    experts.sort((a, b) => domains.indexOf(a.domain) - domains.indexOf(b.domain))
    sets.push({ name, domains, questions: qs, experts })
  }
  return { dir, sets, results }
}

/** How many of a set's questions are, word for word, a training instruction of some expert. */
export function verbatimCount (set: RecallSet): number {
  const instructions = new Set(set.experts.flatMap(e => e.exemplars.map(x => x.q.trim())))
  return set.questions.filter(q => instructions.has(q.question.trim())).length
}
