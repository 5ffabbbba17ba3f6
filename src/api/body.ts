/**
 * Request bodies: read with a byte limit, parse JSON, validate with zod. Every failure is a
 * named error (`PayloadTooLargeError`, `MalformedJsonError`, `InvalidRequestError`).
 */
import { InvalidRequestError, MalformedJsonError, PayloadTooLargeError } from './errors.ts'
import type { z } from 'zod'

/** Reads the whole body, failing as soon as it passes `maxBytes` (Content-Length or counted). */
export async function readBody (req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeError(maxBytes)
  if (req.body == null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = req.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        await reader.cancel().catch(() => {})
        throw new PayloadTooLargeError(maxBytes)
      }
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

export async function readJson (req: Request, maxBytes: number, options: { emptyAs?: unknown } = {}): Promise<unknown> {
  return parseJsonBytes(await readBody(req, maxBytes), options)
}

/** Parses UTF-8 JSON; an empty body is an error unless `emptyAs` is given. */
export function parseJsonBytes (bytes: Uint8Array, options: { emptyAs?: unknown } = {}): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (err) {
    throw new MalformedJsonError({ cause: err })
  }
  if (text.trim() === '') {
    if ('emptyAs' in options) return options.emptyAs
    throw new InvalidRequestError('request body is empty; send a JSON object')
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new MalformedJsonError({ cause: err })
  }
}

/** Validates `value`; the first problem becomes an InvalidRequestError naming the field. */
export function parseWith<S extends z.ZodType> (schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  const param = issue != null && issue.path.length > 0 ? issue.path.map(String).join('.') : null
  const msg = issue == null ? 'invalid request' : `${param ?? 'body'}: ${issue.message}`
  throw new InvalidRequestError(msg, param, { cause: r.error })
}
