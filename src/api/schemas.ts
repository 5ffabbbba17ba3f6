/** Request schemas (zod 4). OpenAI request objects keep unknown fields (clients send many). */
import { z } from 'zod'

const text = z.string()

/** OpenAI content: a string or a list of parts, of which text parts are kept. */
const content = z.union([
  text,
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))
]).transform(c => typeof c === 'string' ? c : c.filter(p => p.type === 'text').map(p => p.text ?? '').join('\n'))

export const chatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([content, z.null()]).transform(c => c ?? '')
})

export const chatRequest = z.looseObject({
  model: z.string().min(1).max(200),
  messages: z.array(chatMessage).min(1).max(512),
  stream: z.boolean().nullish(),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  seed: z.number().int().nullish(),
  n: z.literal(1).nullish()
})

export const embeddingsRequest = z.looseObject({
  model: z.string().max(200).optional(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(256)]),
  encoding_format: z.enum(['float', 'base64']).optional()
})

const question = z.string().trim().min(1).max(100_000)

export const routeRequest = z.strictObject({
  question,
  expert: z.string().min(1).max(200).optional()
})

export const askRequest = z.strictObject({
  question: question.optional(),
  messages: z.array(chatMessage).min(1).max(512).optional(),
  expert: z.string().min(1).max(200).optional(),
  stream: z.boolean().optional(),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().optional()
}).refine(r => (r.question == null) !== (r.messages == null), { message: 'send exactly one of "question" or "messages"' })

export const reasonRequest = z.strictObject({ reason: z.string().max(140).optional() })

export const addRequest = z.strictObject({ bytes: z.base64().min(1) })

const limit = z.coerce.number().int().min(1).max(1000).optional()
export const libraryQuery = z.object({
  kind: z.string().max(32).optional(),
  status: z.string().max(32).optional(),
  domain: z.string().max(64).optional(),
  author: z.string().max(128).optional(),
  limit
})

export const experienceQuery = z.object({ domain: z.string().max(64).optional(), limit })
export const experienceSearch = z.object({ q: question, limit })

export const outcomeQuery = z.object({
  task: z.string().trim().min(1).max(64),
  family: z.string().max(32).optional(),
  tags: z.string().max(200).optional().transform(t => t == null || t.trim() === '' ? undefined : t.split(',').map(s => s.trim()).filter(s => s !== '')),
  limit
})

export const cidParam = z.string().min(8).max(128).regex(/^[a-z0-9]+$/i, 'must be a CID string')
