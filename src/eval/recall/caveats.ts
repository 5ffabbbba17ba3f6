/** What a reader must know before comparing the recall figures, computed from the run itself. */
import type { RecallReport } from './types.ts'

const pct = (x: number): string => `${x.toFixed(1)}%`

export function recallCaveats (r: Omit<RecallReport, 'caveats'>): string[] {
  const out: string[] = []
  const verbatim = r.sets.map(s => `${s.verbatim}/${s.questions} ${s.set}`).join(', ')
  if (r.runtime.kind === 'retrieval') {
    out.push('The retrieval runtime runs no model: it answers with the stored training answers verbatim (the best match plus two related answers of the same expert). ' +
      `${verbatim} questions are word-for-word training instructions and the rest close paraphrases, so its recall is an upper bound on what the training pairs can give, not a model's score.`)
  } else {
    out.push('A knowledge card (an expert without weights) adds nothing to a model\'s prompt: the node hands a model runtime only the routed expert\'s LoRA file and relevant experiences. ' +
      'So with a model runtime, "routed" and "pooled" cards answer like "none" up to sampling; only the LoRA conditions can differ.')
  }
  if (r.runtime.tinyModel) {
    out.push('The bundled llama-2-tiny-random.gguf has random weights (n_embd 8, one block): it produces gibberish, so recall is near 0 in every condition, and the synthetic LoRAs are random too. ' +
      'This run checks that the LoRA path works end to end (routing, one adapter per expert, the ΔW merge loaded by llama.cpp), not answer quality. ' +
      'The upstream adapters were trained on Qwen2.5-0.5B/1.5B-Instruct, whose GGUF is not available offline, and the 13 LoRA adapters in ../shared/adapters are for other bases and tasks.')
  }
  for (const s of r.sets) {
    if (s.ceiling.overall < 99.95) {
      const short = Object.entries(s.ceiling.perDomain).filter(([, v]) => v < 99.95).map(([d, v]) => `${d} ${pct(v)}`).join(', ')
      out.push(`${s.set}: only ${pct(s.ceiling.overall)} of the expected keywords occur anywhere in the training text of the question's domain (${short}); an answer drawn from that text alone cannot score higher (the bound is loose: a keyword may sit in an unrelated answer).`)
    }
    const pooled = s.conditions.find(c => c.id === 'pooled')
    if (pooled != null && pooled.library.artifacts > 1) {
      out.push(`${s.set}: the pooled expert is ${pooled.library.artifacts} adapter artifacts in one domain (an artifact holds at most 64 exemplars); the answer comes from the part whose exemplars best match.`)
    }
  }
  const stray = r.sets.flatMap(s => s.conditions.filter(c => c.id === 'none').flatMap(c => c.items.filter(i => i.recall > 0).map(i => `${s.set}/${i.id}`)))
  if (stray.length > 0) {
    out.push(`Matching has no word boundaries, so short keywords match inside ordinary words: the no-expert answer still scores on ${stray.join(', ')} (e.g. "THI" inside "this").`)
  }
  if (r.reference != null && r.reference.rows.length > 0) {
    out.push('Reference numbers are upstream\'s (Qwen2.5-0.5B/1.5B-Instruct with LoRA adapters trained on these files, sampled at temperature 0.25–0.35). ' +
      'Runtimes differ: compare the gap between conditions, not absolute numbers. Upstream measured no adapter-free base model; "base (proxy)" is the single-domain specialists\' mean recall on the other domains\' questions.')
  }
  return out
}
