/**
 * The MCP tools: `ask`, `route`, `search_experiences`, `recommend_config`, `library_list`.
 * Each returns readable text plus `structuredContent`; failures come back as tool errors
 * (`isError: true`) with the same messages the HTTP API gives, never internals.
 */
import { z } from 'zod'
import { collectAnswer, httpErrorFor } from '../api/index.ts'
import type { NodeServices, RouteExplanation } from '../api/index.ts'
import { PromptTooLongError } from '../runtime/index.ts'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

export const TOOL_NAMES = ['ask', 'route', 'search_experiences', 'recommend_config', 'library_list'] as const

export interface ToolLimits {
  maxPromptChars: number
  timeoutMs: number
}

const question = z.string().trim().min(1).describe('The question, in plain language')
const expert = z.string().min(1).max(200).optional().describe('Force this expert by name instead of routing')

function routeLine (r: RouteExplanation): string {
  const top = r.scores.slice(0, 3).map(s => `${s.name} ${s.score.toFixed(2)}`).join(', ')
  return r.expert != null
    ? `Routed to ${r.expert.name} (${r.expert.domain})${r.forced ? ', forced' : ''}. Scores: ${top}. ${r.reason}`
    : `Abstained: ${r.reason}. Scores: ${top}`
}

function result (text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured }
}

async function guarded (fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn()
  } catch (err) {
    const h = httpErrorFor(err)
    return { isError: true, content: [{ type: 'text', text: `${h.code}: ${h.message}` }] }
  }
}

export function registerTools (server: McpServer, services: NodeServices, limits: ToolLimits): void {
  const signal = (): AbortSignal => AbortSignal.timeout(limits.timeoutMs)
  const checkLength = (q: string): void => {
    if (q.length > limits.maxPromptChars) throw new PromptTooLongError(q.length, limits.maxPromptChars, 'characters', `the question has ${q.length} characters; at most ${limits.maxPromptChars}`)
  }

  server.registerTool('ask', {
    title: 'Ask the knowledge mesh',
    description: 'Answers a question with the best expert in this Baobab node (or a forced one), and says which expert answered and why.',
    inputSchema: { question, expert, maxTokens: z.number().int().min(1).max(4096).optional().describe('Longest answer, in tokens') },
    annotations: { readOnlyHint: true, openWorldHint: false }
  }, async ({ question: q, expert: e, maxTokens }) => guarded(async () => {
    checkLength(q)
    const s = signal()
    const answer = await services.ask({ messages: [{ role: 'user', content: q }], ...(e != null ? { expert: e } : {}), ...(maxTokens != null ? { maxTokens } : {}) }, { signal: s })
    const r = await collectAnswer(answer, s)
    return result(`${r.text}\n\n— ${routeLine(r.route)}`, {
      answer: r.text, expert: r.route.expert, abstained: r.route.abstained, scores: r.route.scores,
      experiences: r.route.experiences, model: r.model, retrieved: r.retrieved, finishReason: r.finishReason
    })
  }))

  server.registerTool('route', {
    title: 'Explain routing',
    description: 'Shows which expert would answer a question: a score per expert, the threshold, the deciding exemplars, or why it abstains.',
    inputSchema: { question, expert },
    annotations: { readOnlyHint: true, openWorldHint: false }
  }, async ({ question: q, expert: e }) => guarded(async () => {
    checkLength(q)
    const r = await services.route(q, { signal: signal(), ...(e != null ? { expert: e } : {}) })
    return result(routeLine(r), { ...r })
  }))

  server.registerTool('search_experiences', {
    title: 'Search experiences',
    description: 'Finds short lessons (experiences) this node trusts that are closest to a query.',
    inputSchema: { query: z.string().trim().min(1).max(2000).describe('What to look for'), limit: z.number().int().min(1).max(50).optional() },
    annotations: { readOnlyHint: true, openWorldHint: false }
  }, async ({ query, limit }) => guarded(async () => {
    const items = await services.experiences.search(query, { signal: signal(), ...(limit != null ? { limit } : {}) })
    const text = items.length === 0 ? 'No experiences match.' : items.map(i => `- [${i.domain}] ${i.text} (score ${(i.score ?? 0).toFixed(2)})`).join('\n')
    return result(text, { experiences: items })
  }))

  server.registerTool('recommend_config', {
    title: 'Recommend a fine-tuning configuration',
    description: 'Synthesises the configuration that worked best for similar tasks from outcome packets, with the evidence.',
    inputSchema: {
      task: z.string().trim().min(1).max(64).describe('Task, e.g. "clinical note summarisation"'),
      family: z.string().trim().min(1).max(32).describe('Base model family, e.g. qwen2.5-0.5b'),
      tags: z.array(z.string().min(1).max(24)).max(6).optional()
    },
    annotations: { readOnlyHint: true, openWorldHint: true }
  }, async ({ task, family, tags }) => guarded(async () => {
    const q = { task, family, ...(tags != null ? { tags } : {}) }
    const r = await services.outcomes.recommend(q, { signal: signal() })
    const params = Object.entries(r.params).map(([k, v]) => `${k}=${String(v)}`).join(', ')
    return result(`Recommended for ${r.task}: ${params === '' ? '(no parameters)' : params} — confidence ${r.confidence.toFixed(2)}, ${r.evidence.length} outcome(s) as evidence.`, { ...r })
  }))

  server.registerTool('library_list', {
    title: 'List the library',
    description: 'Lists artifacts in this node\'s library: adapters, experiences, outcomes, votes, reproductions, revocations.',
    inputSchema: {
      kind: z.enum(['adapter', 'experience', 'outcome', 'vote', 'reproduction', 'revocation']).optional(),
      status: z.enum(['quarantined', 'trusted', 'rejected', 'revoked']).optional(),
      domain: z.string().max(64).optional(),
      limit: z.number().int().min(1).max(500).optional()
    },
    annotations: { readOnlyHint: true, openWorldHint: false }
  }, async (args) => guarded(async () => {
    const items = await services.library.list({ ...args, limit: args.limit ?? 100 }, { signal: signal() })
    const text = items.length === 0 ? 'The library has nothing matching.' : items.map(a => `${a.kind.padEnd(11)} ${a.status.padEnd(11)} ${a.cid}  ${a.title.slice(0, 70)}`).join('\n')
    return result(text, { artifacts: items })
  }))
}
