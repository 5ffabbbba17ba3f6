/**
 * Reads exemplar files: JSONL with `instruction`/`output` (optional `input`, appended to the
 * instruction), `q`/`a`, or `question`/`answer` per line. Every bad line is reported with its
 * line number; nothing is returned unless the whole file is good.
 */
import { readFile } from 'node:fs/promises'
import { InvalidExemplarsError } from './errors.ts'
import type { ExemplarLineProblem } from './errors.ts'
import type { Exemplar } from './types.ts'

/** What an adapter artifact holds at most (artifact schema). */
export const MAX_EXEMPLARS = 64
export const MAX_QUESTION_CHARS = 1000
export const MAX_ANSWER_CHARS = 2000
/** Room for exemplars inside the 64 KiB adapter artifact, leaving space for the other fields. */
export const MAX_EXEMPLAR_BYTES = 56 * 1024

export interface ParsedExemplars {
  exemplars: Exemplar[]
  /** Non-empty lines read. */
  lines: number
}

export interface ParseExemplarsOptions {
  /** Name shown in errors. */
  file?: string
  /** Largest number of exemplars accepted (default 64). */
  max?: number
}

const pick = (o: Record<string, unknown>, keys: string[]): unknown => {
  for (const k of keys) if (k in o) return o[k]
  return undefined
}

function parseLine (raw: string, line: number, problems: ExemplarLineProblem[]): Exemplar | null {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch (err) {
    problems.push({ line, message: `not valid JSON (${(err as Error).message})` })
    return null
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ line, message: 'expected a JSON object' })
    return null
  }
  const o = value as Record<string, unknown>
  const q = pick(o, ['instruction', 'q', 'question'])
  const input = o.input
  const a = pick(o, ['output', 'a', 'answer'])
  if (typeof q !== 'string' || q.trim() === '') {
    problems.push({ line, message: 'needs a non-empty "instruction", "q" or "question" string' })
    return null
  }
  if (input != null && typeof input !== 'string') {
    problems.push({ line, message: '"input" must be a string' })
    return null
  }
  if (a != null && typeof a !== 'string') {
    problems.push({ line, message: '"output"/"a"/"answer" must be a string' })
    return null
  }
  const question = typeof input === 'string' && input.trim() !== '' ? `${q.trim()}\n${input.trim()}` : q.trim()
  if (question.length > MAX_QUESTION_CHARS) {
    problems.push({ line, message: `question has ${question.length} characters (limit ${MAX_QUESTION_CHARS})` })
    return null
  }
  const answer = a?.trim()
  if (answer != null && answer.length > MAX_ANSWER_CHARS) {
    problems.push({ line, message: `answer has ${answer.length} characters (limit ${MAX_ANSWER_CHARS})` })
    return null
  }
  return answer == null || answer === '' ? { q: question } : { q: question, a: answer }
}

/** Parses JSONL text; throws InvalidExemplarsError listing every problem. */
export function parseExemplars (text: string, options: ParseExemplarsOptions = {}): ParsedExemplars {
  const max = options.max ?? MAX_EXEMPLARS
  const problems: ExemplarLineProblem[] = []
  const exemplars: Exemplar[] = []
  const seen = new Map<string, number>()
  let lines = 0
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return
    lines++
    const ex = parseLine(raw, i + 1, problems)
    if (ex == null) return
    const first = seen.get(ex.q)
    if (first != null) {
      problems.push({ line: i + 1, message: `same question as line ${first}` })
      return
    }
    seen.set(ex.q, i + 1)
    exemplars.push(ex)
  })
  const where = options.file == null ? 'exemplars' : options.file
  if (problems.length === 0 && exemplars.length === 0) problems.push({ line: 0, message: 'no exemplars (the file is empty)' })
  if (exemplars.length > max) problems.push({ line: 0, message: `${exemplars.length} exemplars; an expert holds at most ${max}` })
  const bytes = exemplars.reduce((n, e) => n + Buffer.byteLength(e.q) + Buffer.byteLength(e.a ?? ''), 0)
  if (bytes > MAX_EXEMPLAR_BYTES) problems.push({ line: 0, message: `exemplars take ${bytes} bytes; at most ${MAX_EXEMPLAR_BYTES} fit in an adapter artifact` })
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map(p => p.line > 0 ? `line ${p.line}: ${p.message}` : p.message).join('; ')
    const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''
    throw new InvalidExemplarsError(options.file, problems, `${where}: ${shown}${more}`)
  }
  return { exemplars, lines }
}

/** Reads and parses an exemplar file. */
export async function readExemplarsFile (path: string, options: { signal?: AbortSignal, max?: number } = {}): Promise<ParsedExemplars> {
  let text: string
  try {
    text = await readFile(path, { encoding: 'utf8', ...(options.signal == null ? {} : { signal: options.signal }) })
  } catch (err) {
    throw new InvalidExemplarsError(path, [{ line: 0, message: 'cannot read file' }], `${path}: cannot read (${(err as Error).message})`, { cause: err })
  }
  return parseExemplars(text, { file: path, ...(options.max == null ? {} : { max: options.max }) })
}
