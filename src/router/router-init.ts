/** What a Router is made with and what its calls take. */
import type { CalibrationOptions } from './calibrate.ts'
import type { ScoringOptions } from './expert-index.ts'
import type { Embedder } from '../embedding/index.ts'
import type { DatabaseSync } from 'node:sqlite'

export interface RouterInit {
  /** Default: the built-in hashed n-gram embedder. */
  embedder?: Embedder
  /** Library database: embeddings cache, feedback and calibration are kept there. */
  db?: DatabaseSync
  scoring?: Partial<ScoringOptions>
  calibration?: Partial<CalibrationOptions>
  /** Refit corpus statistics once this share of exemplars changed since the last fit (0.25). */
  refitDrift?: number
  /** Longest question accepted, in characters (4000). */
  maxQuestionChars?: number
  /** Exemplars returned with a decision (5). */
  topExemplars?: number
}

export interface RouteOptions {
  signal?: AbortSignal
}

export interface FeedbackInput {
  question: string
  /** The expert that should have answered, or null when none should have. */
  expertId: string | null
}
