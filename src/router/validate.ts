/** Checks expert definitions and questions before they reach the index. */
import { InvalidExpertError, InvalidQuestionError } from './errors.ts'
import type { ExpertInput } from './types.ts'

export function validateExpert (e: ExpertInput): void {
  const id = typeof e?.id === 'string' ? e.id : ''
  if (id === '') throw new InvalidExpertError(id, 'expert id must be a non-empty string')
  if (typeof e.name !== 'string' || e.name === '') throw new InvalidExpertError(id, `expert ${id}: name must be a non-empty string`)
  if (typeof e.domain !== 'string' || e.domain === '') throw new InvalidExpertError(id, `expert ${id}: domain must be a non-empty string`)
  if (!Array.isArray(e.exemplars) || e.exemplars.length === 0) throw new InvalidExpertError(id, `expert ${id}: needs at least one exemplar`)
  e.exemplars.forEach((x, i) => {
    if (typeof x?.q !== 'string' || x.q.trim() === '') throw new InvalidExpertError(id, `expert ${id}: exemplar ${i} has no question`)
    if (x.a != null && typeof x.a !== 'string') throw new InvalidExpertError(id, `expert ${id}: exemplar ${i} answer must be a string`)
  })
}

/** A question as a trimmed, non-empty string of at most `maxChars` characters. */
export function validateQuestion (question: unknown, maxChars: number): string {
  if (typeof question !== 'string') throw new InvalidQuestionError(0, 'question must be a string')
  const text = question.trim()
  if (text === '') throw new InvalidQuestionError(0, 'question is empty')
  if (text.length > maxChars) {
    throw new InvalidQuestionError(text.length, `question has ${text.length} characters (limit ${maxChars})`)
  }
  return text
}
