/** Checks expert definitions and questions before they reach the index. */
import { InvalidExpertError, InvalidQuestionError } from './errors.ts'
import type { ExpertInput } from './types.ts'

export function validateExpert (e: ExpertInput): void {
  const id = typeof e?.id === 'string' ? e.id : ''
  if (id === '') throw new InvalidExpertError('expert id must be a non-empty string', { expertId: id })
  if (typeof e.name !== 'string' || e.name === '') throw new InvalidExpertError(`expert ${id}: name must be a non-empty string`, { expertId: id })
  if (typeof e.domain !== 'string' || e.domain === '') throw new InvalidExpertError(`expert ${id}: domain must be a non-empty string`, { expertId: id })
  if (!Array.isArray(e.exemplars) || e.exemplars.length === 0) throw new InvalidExpertError(`expert ${id}: needs at least one exemplar`, { expertId: id })
  e.exemplars.forEach((x, i) => {
    if (typeof x?.q !== 'string' || x.q.trim() === '') throw new InvalidExpertError(`expert ${id}: exemplar ${i} has no question`, { expertId: id })
    if (x.a != null && typeof x.a !== 'string') throw new InvalidExpertError(`expert ${id}: exemplar ${i} answer must be a string`, { expertId: id })
  })
}

/** A question as a trimmed, non-empty string of at most `maxChars` characters. */
export function validateQuestion (question: unknown, maxChars: number): string {
  if (typeof question !== 'string') throw new InvalidQuestionError('question must be a string', { length: 0 })
  const text = question.trim()
  if (text === '') throw new InvalidQuestionError('question is empty', { length: 0 })
  if (text.length > maxChars) {
    throw new InvalidQuestionError(`question has ${text.length} characters (limit ${maxChars})`, { length: text.length })
  }
  return text
}
