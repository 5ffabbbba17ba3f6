/** JSON views of artifact bodies: CIDs as strings, bytes as base64 — for CLI, HTTP and files. */
import { CID } from 'multiformats/cid'
import { FieldTypeError } from './errors.ts'
import { BODY_SPECS } from './kinds.ts'
import type { BodyByKind, Kind } from './kinds.ts'
import type { Spec } from './schema.ts'
import type { Envelope } from './codec.ts'

function convert (value: unknown, spec: Spec, path: string, toWire: boolean): unknown {
  if (value === undefined) return undefined
  switch (spec.t) {
    case 'cid':
      if (!toWire) return String(value)
      try { return CID.parse(String(value)) } catch { throw new FieldTypeError(path, 'a CID string') }
    case 'bytes':
      return toWire ? new Uint8Array(Buffer.from(String(value), 'base64')) : Buffer.from(value as Uint8Array).toString('base64')
    case 'arr':
      return Array.isArray(value) ? value.map((v, i) => convert(v, spec.of, `${path}[${i}]`, toWire)) : value
    case 'obj': {
      if (value == null || typeof value !== 'object') return value
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) {
        const s = spec.fields[k]
        out[k] = s == null ? v : convert(v, s, `${path}.${k}`, toWire)
        if (out[k] === undefined) delete out[k]
      }
      return out
    }
    default:
      return value
  }
}

/** Converts a JSON body (CID strings, base64 bytes) into the wire form for `createArtifact`. */
export function bodyFromJson<K extends Kind> (kind: K, json: unknown): BodyByKind[K] {
  return convert(json, BODY_SPECS[kind], 'body', true) as BodyByKind[K]
}

export function bodyToJson (kind: Kind, body: unknown): Record<string, unknown> {
  return convert(body, BODY_SPECS[kind], 'body', false) as Record<string, unknown>
}

export function envelopeToJson (env: Envelope): Record<string, unknown> {
  return {
    v: env.v,
    kind: env.kind,
    author: env.author,
    created: env.created,
    body: bodyToJson(env.kind, env.body),
    sig: Buffer.from(env.sig).toString('base64')
  }
}
