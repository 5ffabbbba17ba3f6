/**
 * Text normalisation for the built-in embedder: lower-casing, accent folding, British/American
 * spelling folding, stop words and a light suffix stemmer. Pure and deterministic.
 */

const STOP_WORDS = new Set(`
a about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don done down
during each else ever every few for from further get gets getting got had has have having he her
here hers herself him himself his how i if in into is isn it its itself just keep keeps kind let
like lot lots make makes me might more most much must my myself need needs no nor not now of off
often on once one only or other ought our ours ourselves out over own per please put really right
same say says see seem seems shall she should so some such than that the their theirs them
themselves then there these they thing things this those though through thus to too under until up
upon us use used uses using very want wants was wasn way ways we well were what whats when where
whether which while who whom whose why will with within without won would yes yet you your yours
yourself yourselves able best good better work works help tell know going go goes
im ive id youre theyre theres thats whats hows isnt arent wasnt werent dont doesnt didnt cant couldnt
wont wouldnt shouldnt hasnt havent hadnt lets anyone someone something anything everything nothing
`.trim().split(/\s+/))

/** British -ise/-isation spellings folded to -ize so "fertiliser" and "fertilizer" meet. */
function foldSpelling (w: string): string {
  const m = /^(.{5,}?)is(e|ed|es|er|ers|ing|ation|ations)$/.exec(w)
  if (m != null) return `${m[1]}iz${m[2]}`
  if (w.endsWith('our') && w.length > 5 && w !== 'flour') return `${w.slice(0, -3)}or`
  return w
}

const VOWEL = /[aeiouy]/

/** Irregular (mostly Latin and Greek) plurals folded to their singular before stemming. */
const IRREGULAR: Record<string, string> = {
  fungi: 'fungus', larvae: 'larva', pupae: 'pupa', algae: 'alga', hyphae: 'hypha', bacteria: 'bacterium',
  nuclei: 'nucleus', stimuli: 'stimulus', criteria: 'criterion', phenomena: 'phenomenon', media: 'medium',
  mice: 'mouse', geese: 'goose', teeth: 'tooth', feet: 'foot', oxen: 'ox', calves: 'calf', hooves: 'hoof',
  leaves: 'leaf', halves: 'half', knives: 'knife', lives: 'life', wolves: 'wolf', children: 'child', women: 'woman', men: 'man'
}

/** A light, conservative suffix stemmer (plural, -ing, -ed, -ly, -ment, -ness, -ation). */
export function stem (word: string): string {
  let w = foldSpelling(IRREGULAR[word] ?? word)
  if (w.length <= 3 || /\d/.test(w)) return w
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`
  else if (w.endsWith('sses')) w = w.slice(0, -2)
  else if (w.endsWith('es') && /(x|ch|sh|ss|zz)es$/.test(w)) w = w.slice(0, -2)
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w) && w.length > 3) w = w.slice(0, -1)

  w = w.replace(/(iz)(er|ation)$/, '$1')
  for (const suffix of ['ations', 'ation', 'ments', 'ment', 'ness', 'ingly', 'edly', 'ing', 'ed', 'ly']) {
    if (w.endsWith(suffix)) {
      const base = w.slice(0, -suffix.length) + (suffix.startsWith('ation') ? 'at' : '')
      if (base.length >= 3 && VOWEL.test(base)) {
        w = base
        if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1)
      }
      break
    }
  }
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1)
  if (w.endsWith('y') && w.length > 4) w = `${w.slice(0, -1)}i`
  return w
}

/** Lower-cases, folds accents and splits into word tokens (letters and digits). */
export function words (text: string): string[] {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(text)
  const folded = (ascii ? text : text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')).toLowerCase()
  return folded.match(/[a-z0-9]+(?:'[a-z]+)?/g)?.map(t => t.replace(/'[a-z]+$/, '')) ?? []
}

export function isStopWord (word: string): boolean {
  return STOP_WORDS.has(word)
}

/** Content tokens: stop words dropped, stems kept. Single letters and bare numbers below 10 dropped. */
export function contentTokens (text: string): Array<{ raw: string, stem: string }> {
  const out: Array<{ raw: string, stem: string }> = []
  for (const w of words(text)) {
    if (w.length < 2 || STOP_WORDS.has(w)) continue
    out.push({ raw: w, stem: stem(w) })
  }
  return out
}
