/**
 * Experience text rules: one line, ≤ 40 words, ≤ 320 characters, no prompt injection, and the
 * preferred form "When <situation>, <do/avoid> <action> because <reason>".
 */
import { GENERAL_DOMAIN, MAX_DOMAIN_CHARS, MAX_EXPERIENCE_CHARS, MAX_EXPERIENCE_WORDS, MAX_TAG_CHARS, MAX_TAGS } from './constants.ts'
import { InvalidExperienceError } from './errors.ts'
import { assertNoInjection } from '../injection/index.ts'

/** Collapses whitespace and trims; does not change wording. */
export function normalizeExperienceText (text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

export function countExperienceWords (text: string): number {
  const t = text.trim()
  return t === '' ? 0 : t.split(/\s+/).length
}

/**
 * Returns the normalised text or throws: {@link InvalidExperienceError} for empty, over-long or
 * too-wordy text, {@link PromptInjectionError} for injection patterns (checked on the raw text, so
 * hidden line breaks and control characters are caught before normalisation).
 */
export function validateExperienceText (text: unknown): string {
  if (typeof text !== 'string') throw new InvalidExperienceError('text', 'must be a string')
  assertNoInjection(text)
  const t = normalizeExperienceText(text)
  if (t === '') throw new InvalidExperienceError('text', 'is empty')
  const words = countExperienceWords(t)
  if (words > MAX_EXPERIENCE_WORDS) throw new InvalidExperienceError('text', `has ${words} words (at most ${MAX_EXPERIENCE_WORDS})`)
  if (t.length > MAX_EXPERIENCE_CHARS) throw new InvalidExperienceError('text', `has ${t.length} characters (at most ${MAX_EXPERIENCE_CHARS})`)
  return t
}

export function validateDomain (domain: unknown): string {
  if (typeof domain !== 'string' || domain.trim() === '') throw new InvalidExperienceError('domain', 'must be a non-empty string')
  const d = domain.trim().toLowerCase()
  if (d.length > MAX_DOMAIN_CHARS) throw new InvalidExperienceError('domain', `at most ${MAX_DOMAIN_CHARS} characters`)
  if (!/^[a-z0-9][a-z0-9_.\-/ ]*$/.test(d)) throw new InvalidExperienceError('domain', 'letters, digits, space, _ . - / only')
  return d
}

export function validateTags (tags: unknown): string[] {
  if (tags == null) return []
  if (!Array.isArray(tags)) throw new InvalidExperienceError('tags', 'must be a list of strings')
  const out = [...new Set(tags.map(t => {
    if (typeof t !== 'string' || t.trim() === '') throw new InvalidExperienceError('tags', 'each tag must be a non-empty string')
    const v = t.trim().toLowerCase()
    if (v.length > MAX_TAG_CHARS) throw new InvalidExperienceError('tags', `"${v.slice(0, 20)}…" is over ${MAX_TAG_CHARS} characters`)
    assertNoInjection(v)
    return v
  }))]
  if (out.length > MAX_TAGS) throw new InvalidExperienceError('tags', `${out.length} tags (at most ${MAX_TAGS})`)
  return out
}

export function validateConfidence (c: unknown): number {
  if (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 1) throw new InvalidExperienceError('confidence', 'must be a number in 0..1')
  return c
}

export interface ExperienceForm {
  situation: string
  action: string
  reason: string
  /** True when the action tells the reader to avoid something. */
  negative: boolean
}

const NEGATIVE = /^(avoid|never|don't|do not|dont|stop|refrain from|skip|no longer|not)\b/i

/** Parses "When <situation>, <action> because <reason>"; null when the text is not in that form. */
export function parseExperienceForm (text: string): ExperienceForm | null {
  const m = /^\s*(?:when|if|whenever)\s+(.+?),\s*(.+?)\s+(?:because|since|as)\s+(.+?)\.?\s*$/i.exec(text)
  if (m == null) return null
  const action = m[2]!.trim()
  return { situation: m[1]!.trim(), action, reason: m[3]!.trim(), negative: NEGATIVE.test(action) }
}

/** True when `domain` is the general domain that applies everywhere. */
export function isGeneralDomain (domain: string | null | undefined): boolean {
  return domain === GENERAL_DOMAIN
}
