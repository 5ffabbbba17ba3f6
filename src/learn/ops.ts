/**
 * Stage-2 output → validated library operations. Structure problems (no JSON, wrong shape, more
 * than `maxOps` operations, unknown op) throw {@link MalformedOpsError} so the caller can retry
 * once; a well-formed operation whose content is unusable (over-long text, injection, unknown id)
 * is dropped with a warning and the rest are kept.
 */
import { MAX_OPS_PER_GROUP } from './constants.ts'
import { MalformedOpsError } from './errors.ts'
import { validateExperienceText } from './experience-text.ts'

export type ProposedOp =
  | { op: 'ADD', text: string }
  | { op: 'UPDATE', id: string, text: string }
  | { op: 'DELETE', id: string, reason: string }
  | { op: 'NONE' }

export interface ParsedOps {
  ops: ProposedOp[]
  warnings: string[]
}

/** Finds the first balanced JSON object or array in `text` (code fences and prose around it are ignored). */
export function extractJson (text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)
  const src = fenced != null ? fenced[1]! : text
  const start = src.search(/[{[]/)
  if (start < 0) throw new SyntaxError('no JSON object or array in the output')
  let depth = 0
  let inString = false
  for (let i = start; i < src.length; i++) {
    const c = src[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      depth--
      if (depth === 0) return JSON.parse(src.slice(start, i + 1))
    }
  }
  throw new SyntaxError('unbalanced JSON in the output')
}

/** Validates stage-2 output against the operation schema. `ids` are the experience ids shown in the prompt. */
export function parseOps (output: string, options: { ids: ReadonlySet<string>, maxOps?: number }): ParsedOps {
  const maxOps = options.maxOps ?? MAX_OPS_PER_GROUP
  let json: unknown
  try {
    json = extractJson(output)
  } catch (err) {
    throw new MalformedOpsError(`not JSON (${(err as Error).message})`, output, { cause: err })
  }
  const list = Array.isArray(json) ? json : (json as { operations?: unknown } | null)?.operations
  if (!Array.isArray(list)) throw new MalformedOpsError('expected {"operations": [...]}', output)
  if (list.length > maxOps) throw new MalformedOpsError(`${list.length} operations (at most ${maxOps})`, output)
  const ops: ProposedOp[] = []
  const warnings: string[] = []
  list.forEach((raw: unknown, i) => {
    if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new MalformedOpsError(`operation ${i + 1} is not an object`, output)
    const o = raw as Record<string, unknown>
    const kind = typeof o.op === 'string' ? o.op.toUpperCase() : o.op
    const needs = (field: string): string => {
      const v = o[field]
      if (typeof v !== 'string' || v.trim() === '') throw new MalformedOpsError(`operation ${i + 1} (${String(kind)}) needs a string "${field}"`, output)
      return v.trim()
    }
    const checkText = (text: string): string | null => {
      try {
        return validateExperienceText(text)
      } catch (err) {
        warnings.push(`operation ${i + 1} (${String(kind)}) dropped: ${(err as Error).message}`)
        return null
      }
    }
    const checkId = (id: string): boolean => {
      if (options.ids.has(id)) return true
      warnings.push(`operation ${i + 1} (${String(kind)}) dropped: unknown experience id "${id}"`)
      return false
    }
    switch (kind) {
      case 'NONE':
        ops.push({ op: 'NONE' })
        break
      case 'ADD': {
        const text = checkText(needs('text'))
        if (text != null) ops.push({ op: 'ADD', text })
        break
      }
      case 'UPDATE': {
        const id = needs('id')
        const text = checkText(needs('text'))
        if (text != null && checkId(id)) ops.push({ op: 'UPDATE', id, text })
        break
      }
      case 'DELETE': {
        const id = needs('id')
        if (checkId(id)) ops.push({ op: 'DELETE', id, reason: typeof o.reason === 'string' && o.reason.trim() !== '' ? o.reason.trim().slice(0, 120) : 'contradicted by rollouts' })
        break
      }
      default:
        throw new MalformedOpsError(`operation ${i + 1} has unknown op ${JSON.stringify(o.op)} (ADD, UPDATE, DELETE, NONE)`, output)
    }
  })
  return { ops, warnings }
}
