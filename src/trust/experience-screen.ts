/**
 * Experience screen. Experiences are pasted into system prompts, so the text is checked for
 * prompt injection (override / new instructions, role hijack, prompt or secret disclosure,
 * exfiltration, tool calls, role markers, URLs, hidden characters, encoded blobs), for junk
 * (too short, mostly non-letters, one word repeated) and for copies of lessons already held
 * (same normalised text, or ≥ 90% of word 3-shingles shared). Evidence must be plausible.
 * Similarity is computed locally from the text: a peer's sketch is never trusted for it.
 */
import { normalizeExperienceText } from '../learn/index.ts'
import { MAX_WORD_SHARE, MIN_EXPERIENCE_WORDS, MIN_LETTER_SHARE } from './constants.ts'
import { Checks, fmt, injectionCheck } from './screen-report.ts'
import type { ScreenReport } from './screen-report.ts'
import type { ExperienceBody } from '../artifacts/index.ts'
import type { Library, StoredArtifact } from '../library/index.ts'

const NEAR_DUPLICATE_JACCARD = 0.9

function words (text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter(w => w.length > 0)
}

function shingles (ws: string[]): Set<string> {
  const out = new Set<string>()
  if (ws.length < 3) { out.add(ws.join(' ')); return out }
  for (let i = 0; i + 3 <= ws.length; i++) out.add(ws.slice(i, i + 3).join(' '))
  return out
}

function jaccard (a: Set<string>, b: Set<string>): number {
  let inter = 0
  for (const x of a) if (b.has(x)) inter++
  const union = a.size + b.size - inter
  return union === 0 ? 0 : inter / union
}

export function screenLesson (artifact: StoredArtifact, library: Library): ScreenReport {
  const body = artifact.envelope.body as ExperienceBody
  const checks = new Checks()
  const cid = artifact.cid.toString()
  injectionCheck(checks, [['text', body.text], ['domain', body.domain], ...body.tags.map((t, i): [string, string] => [`tags[${i}]`, t])])

  const ws = words(body.text)
  checks.add('length', ws.length >= MIN_EXPERIENCE_WORDS, `${ws.length} words (at least ${MIN_EXPERIENCE_WORDS})`)
  const chars = [...body.text]
  const letters = chars.filter(c => /[\p{L}\s]/u.test(c)).length / Math.max(1, chars.length)
  checks.add('junk-letters', letters >= MIN_LETTER_SHARE, `${fmt(100 * letters)}% letters and spaces (at least ${100 * MIN_LETTER_SHARE}%)`)
  const counts = new Map<string, number>()
  for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1)
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]
  const share = top == null ? 0 : top[1] / ws.length
  checks.add('junk-repetition', ws.length < 5 || share <= MAX_WORD_SHARE, top == null ? 'no words' : `most frequent word "${top[0]}" is ${fmt(100 * share)}% of the text (at most ${100 * MAX_WORD_SHARE}%)`)

  const { groups, meanReward } = body.evidence
  checks.add('evidence', Number.isFinite(meanReward) && meanReward >= -1 && meanReward <= 1 && groups <= 1_000_000,
    `evidence: ${groups} groups, mean reward ${fmt(meanReward)} (reward must lie in [−1, 1])`)
  checks.add('confidence', !(body.confidence > 0.9 && groups < 2), `confidence ${fmt(body.confidence)} from ${groups} group(s) (above 0.9 needs at least 2)`)
  checks.add('sketch', Number.isFinite(body.sketch.scale) && body.sketch.scale >= 0, `sketch scale ${fmt(body.sketch.scale)}`)
  if (checks.failed) return checks.report('')

  const norm = normalizeExperienceText(body.text)
  const mine = shingles(ws)
  for (const other of library.list({ kind: 'experience', status: ['trusted', 'quarantined'] })) {
    const ocid = other.cid.toString()
    if (ocid === cid) continue
    const ob = other.envelope.body as ExperienceBody
    if ((body.replaces ?? []).some(r => r.toString() === ocid)) continue
    if (normalizeExperienceText(ob.text) === norm) {
      checks.add('duplicate', false, `same text as ${ocid} (${other.status})`)
      break
    }
    const j = jaccard(mine, shingles(words(ob.text)))
    if (j >= NEAR_DUPLICATE_JACCARD) {
      checks.add('duplicate', false, `near-duplicate of ${ocid}: ${fmt(100 * j)}% of word triples shared`)
      break
    }
  }
  if (!checks.failed) checks.add('duplicate', true, 'not a copy of a held experience')
  checks.evidence.words = ws.length
  return checks.report(`${ws.length} words, no injection pattern, not junk, not a duplicate`)
}
