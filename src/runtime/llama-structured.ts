/**
 * Structured output for the llama runtime: `response_format` JSON and forced tool calls become
 * node-llama-cpp grammars, so the sampler can only produce text of the requested shape.
 *
 * - `json_object`: node-llama-cpp's JSON grammar; `json_schema`: a grammar made from the schema.
 * - tools with `tool_choice: 'required'` or a named function: a grammar for
 *   `{"name": <one of the tools>, "arguments": <its parameters>}`, parsed into a `ToolCall`.
 * - tools with `tool_choice: 'auto'`: answered with text, with a warning (the model decides
 *   nothing here; name the function or send `required` to get a call).
 */
import { randomBytes } from 'node:crypto'
import type { Llama, LlamaGrammar, LlamaGrammarEvaluationState, LlamaModel } from 'node-llama-cpp'
import type { NodeLlamaCpp } from './llama-prompt.ts'
import { UnsupportedRequestError } from './errors.ts'
import type { ChatMessage, GenerateOptions, ToolCall, ToolDefinition } from './types.ts'

export interface OutputPlan {
  /** `text`: free text; `json`: the answer is one JSON value; `tool`: the answer is a tool call. */
  mode: 'text' | 'json' | 'tool'
  /** Extra `evaluate()` options: the grammar's evaluation state, when there is a grammar. */
  evaluation: { grammarEvaluationState?: LlamaGrammarEvaluationState }
  warnings: string[]
  /** Tools the model was told about (a system note is added for them). */
  tools: ToolDefinition[]
  /** Filled with the parsed call when a `tool` answer completes. */
  toolCalls: ToolCall[]
}

export async function outputPlan (nlc: NodeLlamaCpp, model: LlamaModel, options: GenerateOptions): Promise<OutputPlan> {
  const p = await grammarPlan(model.llama, options)
  const evaluation = p.grammar != null ? { grammarEvaluationState: new nlc.LlamaGrammarEvaluationState({ model, grammar: p.grammar }) } : {}
  return { mode: p.mode, evaluation, warnings: p.warnings, tools: p.tools, toolCalls: [] }
}

interface GrammarPlan {
  mode: OutputPlan['mode']
  grammar?: LlamaGrammar
  warnings: string[]
  tools: ToolDefinition[]
}

async function grammarPlan (llama: Llama, options: GenerateOptions): Promise<GrammarPlan> {
  const warnings: string[] = []
  const tools = options.tools ?? []
  const choice = options.toolChoice ?? 'auto'
  if (tools.length > 0 && choice !== 'none' && choice !== 'auto') {
    const chosen = typeof choice === 'string' ? tools : tools.filter(t => t.name === choice.name)
    if (chosen.length === 0) throw new UnsupportedRequestError('llama', `call the function "${(choice as { name: string }).name}"`, 'tool_choice', 'it is not among the request\'s tools')
    const schema = { oneOf: chosen.map(t => ({ type: 'object', properties: { name: { const: t.name }, arguments: argumentsSchema(t) } })) }
    return { mode: 'tool', grammar: await grammarFor(llama, schema, 'tools'), warnings, tools: chosen }
  }
  if (tools.length > 0 && choice === 'auto') warnings.push('tools offered with tool_choice "auto": the llama runtime calls a tool only when tool_choice is "required" or names one')
  const format = options.responseFormat
  if (format?.type === 'json_object') return { mode: 'json', grammar: await llama.getGrammarFor('json'), warnings, tools: [] }
  if (format?.type === 'json_schema') return { mode: 'json', grammar: await grammarFor(llama, format.schema, 'response_format'), warnings, tools: [] }
  return { mode: 'text', warnings, tools: [] }
}

/** Tells the model which functions it is calling (the grammar enforces the shape). */
export function withToolNote (messages: ChatMessage[], plan: Pick<OutputPlan, 'mode' | 'tools'>): ChatMessage[] {
  if (plan.mode !== 'tool') return messages
  const note = 'Answer with one JSON function call {"name": ..., "arguments": {...}}. Functions:\n' +
    plan.tools.map(t => `- ${t.name}${t.description != null ? `: ${t.description}` : ''}`).join('\n')
  return [{ role: 'system', content: note }, ...messages]
}

/** True once `text` is one complete JSON value (generation can stop there). */
export function isCompleteJson (text: string): boolean {
  const t = text.trimEnd()
  if (!t.endsWith('}') && !t.endsWith(']')) return false
  try {
    JSON.parse(t)
    return true
  } catch {
    return false
  }
}

/** The tool call in a grammar-constrained answer, or null when it did not finish. */
export function parseToolCall (text: string): ToolCall | null {
  try {
    const v = JSON.parse(text) as { name?: unknown, arguments?: unknown }
    if (typeof v.name !== 'string') return null
    return { id: `call_${randomBytes(8).toString('hex')}`, name: v.name, arguments: JSON.stringify(v.arguments ?? {}) }
  } catch {
    return null
  }
}

function argumentsSchema (t: ToolDefinition): Record<string, unknown> {
  const p = t.parameters
  if (p == null || Object.keys((p.properties as Record<string, unknown> | undefined) ?? {}).length === 0) return { type: 'object', properties: {} }
  return p
}

async function grammarFor (llama: Llama, schema: Record<string, unknown>, param: string): Promise<LlamaGrammar> {
  try {
    return await llama.createGrammarForJsonSchema(cleanSchema(schema) as never) // validated by the builder itself
  } catch (err) {
    throw new UnsupportedRequestError('llama', 'turn this JSON schema into a grammar', param, `${(err as Error).message}; simplify the schema`)
  }
}

/** Drops JSON Schema annotations the grammar builder does not read (`$schema`, titles, …). */
function cleanSchema (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cleanSchema)
  if (value == null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (k === '$schema' || k === 'title' || k === 'default' || k === 'examples' || k === 'strict') continue
    out[k] = k === 'properties' && v != null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).map(([name, s]) => [name, cleanSchema(s)]))
      : cleanSchema(v)
  }
  return out
}
