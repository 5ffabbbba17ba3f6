/**
 * The baseline: a plain TF-IDF max-similarity router, as a classic text classifier would build
 * it (lower-cased word tokens of two or more characters, smoothed idf, L2-normalised, no stemming,
 * no stop-word list). An expert's score is its best exemplar cosine; it abstains only below a
 * fixed threshold. Used in evaluations to show the trade-off the calibrated router avoids.
 */
import type { ExpertInput, ExpertScore } from '../../router/index.ts'

export interface TfidfDecision {
  choice: ExpertScore | null
  abstained: boolean
  scores: ExpertScore[]
}

type Sparse = Map<string, number>

const tokens = (text: string): string[] => text.toLowerCase().match(/\b\w\w+\b/gu) ?? []

export class TfidfRouter {
  /** Index exemplar answers as well as questions. */
  readonly useAnswers: boolean
  private idf = new Map<string, number>()
  private docs = 0
  private experts: Array<{ meta: ExpertScore, vectors: Sparse[] }> = []

  constructor (init: { useAnswers?: boolean } = {}) {
    this.useAnswers = init.useAnswers ?? false
  }

  setExperts (experts: ExpertInput[]): void {
    const texts = experts.map(e => e.exemplars.map(x => this.useAnswers && x.a != null ? `${x.q} ${x.a}` : x.q))
    const df = new Map<string, number>()
    let docs = 0
    for (const list of texts) {
      for (const t of list) {
        docs++
        for (const tok of new Set(tokens(t))) df.set(tok, (df.get(tok) ?? 0) + 1)
      }
    }
    this.docs = docs
    this.idf = new Map([...df].map(([tok, n]) => [tok, Math.log((1 + docs) / (1 + n)) + 1]))
    this.experts = experts.map((e, i) => ({
      meta: { id: e.id, name: e.name, domain: e.domain, score: 0 },
      vectors: texts[i]!.map(t => this.vector(t))
    }))
  }

  private vector (text: string): Sparse {
    const tf = new Map<string, number>()
    for (const tok of tokens(text)) tf.set(tok, (tf.get(tok) ?? 0) + 1)
    const unseen = Math.log(1 + this.docs) + 1
    let norm = 0
    for (const [tok, n] of tf) {
      const x = n * (this.idf.get(tok) ?? unseen)
      tf.set(tok, x)
      norm += x * x
    }
    norm = Math.sqrt(norm)
    if (norm > 0) for (const [tok, x] of tf) tf.set(tok, x / norm)
    return tf
  }

  /** Scores every expert (best exemplar cosine), best first; abstains below `threshold`. */
  route (question: string, threshold = 0): TfidfDecision {
    const q = this.vector(question)
    const scores = this.experts.map(e => {
      let best = 0
      for (const v of e.vectors) {
        let s = 0
        for (const [tok, x] of q) s += x * (v.get(tok) ?? 0)
        if (s > best) best = s
      }
      return { ...e.meta, score: best }
    }).sort((a, b) => b.score - a.score)
    const top = scores[0]
    const abstained = top == null || top.score < threshold
    return { choice: abstained ? null : top, abstained, scores }
  }
}

export function tfidfRouter (init?: { useAnswers?: boolean }): TfidfRouter {
  return new TfidfRouter(init)
}
