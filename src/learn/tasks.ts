/**
 * Task files for `baobab learn`: JSONL, one task per line:
 * `{"id"?, "question", "answer"? | "answers"? | "pattern"? | "keywords"?, "tolerance"?, "domain"?, "split"?}`.
 * Every bad line is reported with its line number; nothing is used from a file with bad lines.
 */
import { readFileSync } from 'node:fs'
import { TaskFormatError } from './errors.ts'

export interface Task {
  id: string
  question: string
  /** Expected answer (exact, numeric) — a string or a number. */
  answer?: string | number
  /** Several accepted answers (exact). */
  answers?: string[]
  /** Regular expression the output must match (regex grader). */
  pattern?: string
  /** Keywords whose recall is the reward (keywords grader). */
  keywords?: string[]
  /** Absolute tolerance (numeric grader). */
  tolerance?: number
  domain?: string
  split?: 'train' | 'test'
  /** 1-based line in the task file. */
  line: number
}

const KNOWN = new Set(['id', 'question', 'answer', 'answers', 'pattern', 'keywords', 'tolerance', 'domain', 'split', 'set', 'source_fact', 'meta'])

/** Parses one JSON value into a task or returns the reason it is not one. */
export function parseTask (value: unknown, line: number): Task | string {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object'
  const v = value as Record<string, unknown>
  const unknown = Object.keys(v).filter(k => !KNOWN.has(k))
  if (unknown.length > 0) return `unknown field(s) ${unknown.join(', ')}`
  const question = v.question
  if (typeof question !== 'string' || question.trim() === '') return '"question" must be a non-empty string'
  if (question.length > 8000) return '"question" is over 8000 characters'
  const task: Task = { id: v.id == null ? `line-${line}` : String(v.id), question, line }
  if (v.answer !== undefined) {
    if (typeof v.answer !== 'string' && (typeof v.answer !== 'number' || !Number.isFinite(v.answer))) return '"answer" must be a string or a finite number'
    task.answer = v.answer
  }
  if (v.answers !== undefined) {
    if (!Array.isArray(v.answers) || v.answers.length === 0 || v.answers.some(a => typeof a !== 'string')) return '"answers" must be a non-empty list of strings'
    task.answers = v.answers as string[]
  }
  if (v.pattern !== undefined) {
    if (typeof v.pattern !== 'string' || v.pattern === '') return '"pattern" must be a non-empty string'
    try { void new RegExp(v.pattern, 'i') } catch (err) { return `"pattern" is not a valid regular expression (${(err as Error).message})` }
    task.pattern = v.pattern
  }
  if (v.keywords !== undefined) {
    if (!Array.isArray(v.keywords) || v.keywords.length === 0 || v.keywords.some(k => typeof k !== 'string' || k === '')) return '"keywords" must be a non-empty list of strings'
    task.keywords = v.keywords as string[]
  }
  if (v.tolerance !== undefined) {
    if (typeof v.tolerance !== 'number' || !(v.tolerance >= 0)) return '"tolerance" must be a number >= 0'
    task.tolerance = v.tolerance
  }
  if (v.domain !== undefined) {
    if (typeof v.domain !== 'string' || v.domain.trim() === '') return '"domain" must be a non-empty string'
    task.domain = v.domain.trim().toLowerCase()
  }
  if (v.split !== undefined) {
    if (v.split !== 'train' && v.split !== 'test') return '"split" must be "train" or "test"'
    task.split = v.split
  }
  if (task.answer === undefined && task.answers === undefined && task.pattern === undefined && task.keywords === undefined) {
    return 'needs one of "answer", "answers", "pattern", "keywords"'
  }
  return task
}

/** Parses JSONL text; throws {@link TaskFormatError} listing every bad line. Blank lines and `#` comments are skipped. */
export function parseTasks (text: string, path = '<tasks>'): Task[] {
  const tasks: Task[] = []
  const bad: Array<{ line: number, reason: string }> = []
  const ids = new Map<string, number>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1
    const s = raw.trim()
    if (s === '' || s.startsWith('#')) return
    let value: unknown
    try {
      value = JSON.parse(s)
    } catch (err) {
      bad.push({ line, reason: `not valid JSON (${(err as Error).message})` })
      return
    }
    const t = parseTask(value, line)
    if (typeof t === 'string') {
      bad.push({ line, reason: t })
      return
    }
    const seen = ids.get(t.id)
    if (seen != null) {
      bad.push({ line, reason: `duplicate id "${t.id}" (first on line ${seen})` })
      return
    }
    ids.set(t.id, line)
    tasks.push(t)
  })
  if (bad.length > 0) throw new TaskFormatError(path, bad)
  if (tasks.length === 0) throw new TaskFormatError(path, [{ line: 0, reason: 'no tasks in the file' }])
  return tasks
}

export function readTasks (path: string): Task[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new TaskFormatError(path, [{ line: 0, reason: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }], { cause: err })
  }
  return parseTasks(text, path)
}

/** Tasks for training (split "train" or no split) and for held-out evaluation (split "test"). */
export function splitTasks (tasks: Task[]): { train: Task[], test: Task[] } {
  return { train: tasks.filter(t => t.split !== 'test'), test: tasks.filter(t => t.split === 'test') }
}
