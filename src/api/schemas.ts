/** Request schemas (zod 4). OpenAI request objects keep unknown fields (clients send many). */
import { z } from 'zod'

const text = z.string()

/** OpenAI content: a string or a list of parts, of which text parts are kept. */
const content = z.union([
  text,
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))
]).transform(c => typeof c === 'string' ? c : c.filter(p => p.type === 'text').map(p => p.text ?? '').join('\n'))

const toolCall = z.looseObject({
  id: z.string().max(200).optional(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1).max(200), arguments: z.string().max(1_000_000).optional() })
})

export const chatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([content, z.null()]).transform(c => c ?? '')
})

/** `/v1` messages of every OpenAI role: `tool` (and legacy `function`) results, assistant `tool_calls` / `function_call`. */
export const wireMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([content, z.null()]).optional().transform(c => c ?? ''),
  name: z.string().max(200).optional(),
  tool_call_id: z.string().max(200).optional(),
  tool_calls: z.array(toolCall).max(128).nullish(),
  function_call: z.looseObject({ name: z.string().min(1).max(200), arguments: z.string().max(1_000_000).optional() }).nullish()
})

const functionDef = z.looseObject({
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).optional(),
  parameters: z.record(z.string(), z.unknown()).optional()
})

const tools = z.array(z.looseObject({ type: z.literal('function'), function: functionDef })).max(128)

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1).max(200) }) })
])

const responseFormat = z.union([
  z.looseObject({ type: z.enum(['text', 'json_object']) }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string().max(200).optional(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() })
  })
])

const stop = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).max(16)])
  .nullish().transform(s => s == null ? undefined : typeof s === 'string' ? [s] : s)

/** Generation fields shared by chat and text completions. */
const generation = {
  model: z.string().min(1).max(200),
  stream: z.boolean().nullish(),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  seed: z.number().int().nullish(),
  n: z.literal(1).nullish(),
  stop
}

export const chatRequest = z.looseObject({
  ...generation,
  messages: z.array(wireMessage).min(1).max(512),
  tools: tools.nullish(),
  tool_choice: toolChoice.nullish(),
  /** Legacy function calling. */
  functions: z.array(functionDef).max(128).nullish(),
  response_format: responseFormat.nullish()
})

/** `POST /v1/completions`: one prompt (a list of one is accepted), routed like a chat turn. */
export const completionRequest = z.looseObject({
  ...generation,
  prompt: z.union([z.string().min(1), z.array(z.string().min(1)).length(1)]).transform(p => typeof p === 'string' ? p : p[0]!),
  suffix: z.string().nullish(),
  echo: z.literal(false).nullish()
})

export const embeddingsRequest = z.looseObject({
  model: z.string().max(200).optional(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(256)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(1024).optional()
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
