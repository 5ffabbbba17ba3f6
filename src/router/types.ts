/**
 * Routing types: experts with their exemplars, scores, decisions and calibration.
 */

/** One question/answer pair that shows what an expert knows. */
export interface Exemplar {
  q: string
  a?: string
}

/** A knowledge item the router can choose: an adapter or a knowledge card with exemplars. */
export interface ExpertInput {
  /** Stable id (the adapter artifact CID, or a local name). */
  id: string
  name: string
  domain: string
  description?: string
  exemplars: Exemplar[]
}

export interface ExpertScore {
  id: string
  name: string
  domain: string
  score: number
}

export interface ScoredExemplar {
  expertId: string
  name: string
  domain: string
  q: string
  a?: string
  score: number
}

export type RouteReasonCode = 'confident' | 'unfamiliar' | 'below-threshold' | 'ambiguous' | 'negative-feedback' | 'empty-library'

export interface RouteDecision {
  choice: ExpertScore | null
  abstained: boolean
  /** Scores of the experts that were scored, best first. */
  scores: ExpertScore[]
  reasonCode: RouteReasonCode
  /** One human-readable sentence explaining the decision. */
  reason: string
  /** Best score minus the best score of an expert in another domain (1 when there is none). */
  margin: number
  /** The calibrated settings the decision used. `threshold` is the one this question had to reach:
   * the library's threshold less the credit its evidence earned. */
  threshold: number
  minMargin: number
  /** Share of the question's words the library knows (1 when the embedder cannot tell). */
  coverage: number
  minCoverage: number
  /** Distinct question words found in the leading expert's best exemplars (-1 when not measured). */
  evidence: number
  minEvidence: number
  /** Exemplars that decided, best first, across the leading experts. */
  topExemplars: ScoredExemplar[]
  /** Best-matching exemplars of the chosen expert (empty when abstained). */
  choiceExemplars: ScoredExemplar[]
}

/** What automatic calibration found (leave-one-out over the library's exemplars). */
export interface Calibration {
  threshold: number
  minMargin: number
  minCoverage: number
  minEvidence: number
  /** Leave-one-out queries used, and how many were routed to their own expert. */
  n: number
  looAccuracy: number
  /** Share of leave-one-out queries accepted at the threshold. */
  looAccepted: number
  /** Share of leave-one-expert-out queries (own expert removed) abstained at the threshold. */
  heldOutAbstained: number
  /** Threshold reduction for full evidence, and the evidence count (distinct matching words) that earns it. */
  evidenceCredit: number
  evidenceCap: number
  /** General everyday questions the threshold was set against, and the share of them abstained. */
  generalQuestions: number
  generalAbstained: number
  fingerprint: string
}
