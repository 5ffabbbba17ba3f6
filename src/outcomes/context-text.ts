/**
 * Text preparation for near fingerprints: the task and tags are reduced to concept tokens before
 * they are embedded, so wording differences that mean the same fine-tuning context vanish:
 *
 * 1. lower case, accents folded, possessives dropped ("doctor's" → "doctor"), stop words removed;
 * 2. a light stemmer: British -ise/-isation folded to -ize, then plural, -ing, -ed, -ation, -ly;
 * 3. a small concept table maps domain synonyms to one token ("doctor", "physician", "clinical",
 *    "medical" → "clinical"; "summary", "summarising", "summarization" → "summar").
 *
 * So "clinical note summarisation" and "summarising doctor's notes" both become
 * "clinical note summar". The table is part of the LSH scheme (`LSH_SCHEME`): changing it changes
 * band keys, so it only grows with a scheme version bump.
 */

const STOP = new Set(('a an and are as at be by for from in into is it of on or the this to with using via ' +
  'task tasks data dataset model models fine tune tuning tuned finetune finetuning').split(' '))

const CONCEPTS: Record<string, string[]> = {
  clinical: ['clinical', 'clinic', 'clinician', 'doctor', 'physician', 'medical', 'medicine', 'nurse', 'nursing', 'hospital', 'ehr', 'emr', 'soap', 'healthcare', 'health'],
  summar: ['summary', 'summaries', 'summarise', 'summarize', 'summarisation', 'summarization', 'summarising', 'summarizing', 'summarised', 'summarized', 'abstractive', 'tldr', 'condense', 'digest'],
  translat: ['translate', 'translation', 'translating', 'translator', 'mt'],
  qa: ['qa', 'question', 'questions', 'answer', 'answers', 'answering'],
  classif: ['classify', 'classification', 'classifier', 'categorise', 'categorize', 'categorisation', 'categorization', 'labelling', 'labeling'],
  sentiment: ['sentiment', 'opinion', 'polarity', 'emotion'],
  code: ['code', 'coding', 'programming', 'program', 'software', 'codegen'],
  legal: ['legal', 'law', 'lawyer', 'juridical', 'court', 'contract', 'contracts'],
  financ: ['finance', 'financial', 'banking', 'bank', 'accounting', 'fiscal'],
  agri: ['agriculture', 'agricultural', 'agronomy', 'farming', 'farm', 'farmer', 'crop', 'crops'],
  math: ['math', 'maths', 'mathematics', 'mathematical', 'arithmetic'],
  dialog: ['chat', 'dialog', 'dialogue', 'conversation', 'conversational', 'assistant'],
  extract: ['extraction', 'extract', 'extracting', 'ner', 'entity', 'entities'],
  english: ['english', 'en', 'en-us', 'en-gb']
}

/** A light suffix stemmer with British → American -ise folding. Deterministic and pure. */
export function stemWord (word: string): string {
  let w = word
  const m = /^(.{4,}?)is(e|ed|es|er|ers|ing|ation|ations)$/.exec(w)
  if (m != null) w = `${m[1]}iz${m[2]}`
  if (w.length <= 3 || /\d/.test(w)) return w
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`
  else if (/(x|ch|sh|ss)es$/.test(w)) w = w.slice(0, -2)
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1)
  for (const suffix of ['ations', 'ation', 'ings', 'ing', 'edly', 'ed', 'ly']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length)
      if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1)
      break
    }
  }
  return w
}

const CONCEPT_INDEX = new Map<string, string>()
for (const [concept, words] of Object.entries(CONCEPTS)) {
  for (const w of words) {
    CONCEPT_INDEX.set(w, concept)
    CONCEPT_INDEX.set(stemWord(w), concept)
  }
}

/** Word tokens: accents folded, lower case, possessive "'s" dropped. */
export function tokens (text: string): string[] {
  const folded = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/['’]s\b/g, '')
  return folded.match(/[a-z0-9]+/g) ?? []
}

/** Concept tokens of a text: stop words removed, stemmed, synonyms folded. */
export function conceptTokens (text: string): string[] {
  const out: string[] = []
  for (const t of tokens(text)) {
    if (STOP.has(t)) continue
    const concept = CONCEPT_INDEX.get(t) ?? CONCEPT_INDEX.get(stemWord(t)) ?? stemWord(t)
    out.push(concept)
  }
  return out
}

/** The text embedded for near fingerprints: concept tokens of the task, then of the tags (sorted, unique). */
export function contextText (task: string, tags: readonly string[]): string {
  const taskTokens = conceptTokens(task)
  const tagTokens = [...new Set(tags.flatMap(t => conceptTokens(t)))].sort()
  return [...taskTokens, ...tagTokens].join(' ')
}
