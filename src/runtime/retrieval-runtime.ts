/**
 * The `retrieval` runtime: no model at all. It answers with the routed expert's best-matching
 * exemplar answers and the experiences it was given, clearly labelled as retrieved; with no
 * knowledge it says plainly that no expert covers the question. The default runtime. It never
 * calls tools (it answers any valid conversation with text), cuts its text at `stop`, and refuses
 * `response_format` JSON with `UnsupportedRequestError` rather than answer non-JSON.
 */
import { logger } from '@libp2p/logger'
import { RuntimeClosedError, UnsupportedRequestError } from './errors.ts'
import { collectStream, textStream } from './part-stream.ts'
import { lastUserContent, validateGenerateOptions } from './prompt.ts'
import type { GenerateOptions, GenerateResult, KnowledgeRef, LlmRuntime, StreamPart } from './types.ts'

const log = logger('baobab:runtime:retrieval')

export interface RetrievalRuntimeInit {
  /** How many exemplar answers to show after the best one (default 2). */
  maxRelated?: number
}

export const NO_EXPERT_TEXT = 'No expert in this library covers this question, and no model is configured to answer it.'

export class RetrievalRuntime implements LlmRuntime {
  readonly specificationVersion = 'v1'
  readonly provider = 'retrieval'
  readonly modelId = 'exemplars'
  private readonly maxRelated: number
  private closed = false

  constructor (init: RetrievalRuntimeInit = {}) {
    this.maxRelated = init.maxRelated ?? 2
  }

  async doGenerate (options: GenerateOptions): Promise<GenerateResult> {
    return collectStream(await this.doStream(options), options.signal)
  }

  async doStream (options: GenerateOptions): Promise<ReadableStream<StreamPart>> {
    if (this.closed) throw new RuntimeClosedError(this.provider)
    validateGenerateOptions(options)
    const format = options.responseFormat?.type
    if (format === 'json_object' || format === 'json_schema') {
      throw new UnsupportedRequestError(this.provider, 'produce JSON (response_format)', 'response_format',
        'it answers with stored text; configure the llama or openai runtime for structured output')
    }
    options.signal?.throwIfAborted()
    const { text, retrieved, warnings } = this.compose(options)
    if ((options.tools ?? []).length > 0 && options.toolChoice !== 'none') warnings.push('tools not called: the retrieval runtime answers with stored text')
    return textStream(text, options, { log, warnings, retrieved })
  }

  async close (): Promise<void> {
    this.closed = true
  }

  private compose (options: GenerateOptions): { text: string, retrieved: boolean, warnings: string[] } {
    const warnings: string[] = []
    if ((options.adapters ?? []).length > 0) warnings.push('adapters ignored: the retrieval runtime runs no model')
    const k = options.knowledge
    const experiences = options.experiences ?? []
    const answered = k == null ? [] : rankedAnswers(k)
    const parts: string[] = []
    if (k != null && answered.length > 0) {
      parts.push(`[retrieved from ${k.name} (${k.domain})] ${answered[0]?.a ?? ''}`)
      const related = answered.slice(1, 1 + this.maxRelated)
      if (related.length > 0) {
        parts.push('Related answers from the same expert:\n' + related.map(e => `- Q: ${e.q}\n  A: ${e.a ?? ''}`).join('\n'))
      }
    } else if (k != null) {
      const qs = (k.exemplars ?? []).slice(0, 3).map(e => `- ${e.q}`).join('\n')
      parts.push(`[retrieved from ${k.name} (${k.domain})] This expert covers the topic but holds no stored answers.` +
        (qs !== '' ? `\nClosest known questions:\n${qs}` : ''))
    }
    if (experiences.length > 0) {
      parts.push('[retrieved experiences]\n' + experiences.map(e => `- ${e.text}`).join('\n'))
    }
    if (parts.length === 0) {
      log('no knowledge for %s', lastUserContent(options.messages).slice(0, 80))
      warnings.push('no expert covers this question')
      return { text: NO_EXPERT_TEXT, retrieved: false, warnings }
    }
    return { text: parts.join('\n\n'), retrieved: true, warnings }
  }
}

function rankedAnswers (k: KnowledgeRef): Array<{ q: string, a?: string, score?: number }> {
  const withAnswers = (k.exemplars ?? []).filter(e => typeof e.a === 'string' && e.a.trim() !== '')
  // Stable sort: exemplars without scores keep the router's order (best first).
  return withAnswers.map((e, i) => ({ e, i }))
    .sort((x, y) => ((y.e.score ?? 0) - (x.e.score ?? 0)) || (x.i - y.i))
    .map(({ e }) => e)
}

export function retrievalRuntime (init: RetrievalRuntimeInit = {}): RetrievalRuntime {
  return new RetrievalRuntime(init)
}
