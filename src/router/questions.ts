/** Reads batch question files: JSONL, one object with a non-empty "question" string per line. */
import { InvalidQuestionsFileError } from './errors.ts'
import type { ExemplarLineProblem } from './errors.ts'

export function parseQuestions (text: string, file: string, maxChars = 4000): string[] {
  const problems: ExemplarLineProblem[] = []
  const questions: string[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return
    let o: unknown
    try {
      o = JSON.parse(raw)
    } catch (err) {
      problems.push({ line: i + 1, message: `not valid JSON (${(err as Error).message})` })
      return
    }
    const q = (o as { question?: unknown } | null)?.question
    if (o == null || typeof o !== 'object' || Array.isArray(o) || typeof q !== 'string' || q.trim() === '') {
      problems.push({ line: i + 1, message: 'needs an object with a non-empty "question" string' })
    } else if (q.length > maxChars) {
      problems.push({ line: i + 1, message: `question has ${q.length} characters (limit ${maxChars})` })
    } else {
      questions.push(q)
    }
  })
  if (problems.length === 0 && questions.length === 0) problems.push({ line: 0, message: 'no questions (the file is empty)' })
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map(p => p.line > 0 ? `line ${p.line}: ${p.message}` : p.message).join('; ')
    throw new InvalidQuestionsFileError(file, problems, `${file}: ${shown}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}`)
  }
  return questions
}
