/** A small strict schema checker: every field known, every type exact, no extras. */
import { CID } from 'multiformats/cid'
import { FieldTypeError, MissingFieldError, UnexpectedFieldError } from './errors.ts'

export type Spec =
  | { t: 'str', min?: number, max: number }
  | { t: 'num', min?: number, max?: number, int?: boolean }
  | { t: 'bool' }
  | { t: 'bytes', max: number }
  | { t: 'cid' }
  | { t: 'enum', values: ReadonlyArray<string | number> }
  | { t: 'arr', of: Spec, max: number }
  | { t: 'obj', fields: Record<string, Spec>, optional?: readonly string[] }
  | { t: 'scalars', maxKeys: number, maxKey: number, maxStr: number }

export function check (value: unknown, spec: Spec, path: string): void {
  switch (spec.t) {
    case 'str':
      if (typeof value !== 'string') throw new FieldTypeError(path, 'a string')
      if (value.length > spec.max) throw new FieldTypeError(path, `a string of at most ${spec.max} characters`)
      if (spec.min != null && value.length < spec.min) throw new FieldTypeError(path, `a string of at least ${spec.min} characters`)
      return
    case 'num':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new FieldTypeError(path, 'a finite number')
      if (spec.int === true && !Number.isSafeInteger(value)) throw new FieldTypeError(path, 'an integer')
      if (spec.min != null && value < spec.min) throw new FieldTypeError(path, `a number ≥ ${spec.min}`)
      if (spec.max != null && value > spec.max) throw new FieldTypeError(path, `a number ≤ ${spec.max}`)
      return
    case 'bool':
      if (typeof value !== 'boolean') throw new FieldTypeError(path, 'a boolean')
      return
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw new FieldTypeError(path, 'bytes')
      if (value.length > spec.max) throw new FieldTypeError(path, `at most ${spec.max} bytes`)
      return
    case 'cid':
      if (CID.asCID(value) == null) throw new FieldTypeError(path, 'a CID')
      return
    case 'enum':
      if (!spec.values.includes(value as string | number)) throw new FieldTypeError(path, `one of ${spec.values.join(', ')}`)
      return
    case 'arr':
      if (!Array.isArray(value)) throw new FieldTypeError(path, 'a list')
      if (value.length > spec.max) throw new FieldTypeError(path, `a list of at most ${spec.max} items`)
      value.forEach((v, i) => { check(v, spec.of, `${path}[${i}]`) })
      return
    case 'obj':
      checkObject(value, spec.fields, spec.optional ?? [], path)
      return
    case 'scalars':
      checkScalars(value, spec, path)
  }
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (value == null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return false
  if (CID.asCID(value) != null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export function checkObject (value: unknown, fields: Record<string, Spec>, optional: readonly string[], path: string): void {
  if (!isPlainObject(value)) throw new FieldTypeError(path, 'a map')
  for (const key of Object.keys(value)) {
    if (!(key in fields)) throw new UnexpectedFieldError(join(path, key))
  }
  for (const [key, spec] of Object.entries(fields)) {
    const v = value[key]
    if (v === undefined) {
      if (optional.includes(key)) continue
      throw new MissingFieldError(join(path, key))
    }
    check(v, spec, join(path, key))
  }
}

function checkScalars (value: unknown, spec: { maxKeys: number, maxKey: number, maxStr: number }, path: string): void {
  if (!isPlainObject(value)) throw new FieldTypeError(path, 'a map of scalars')
  const entries = Object.entries(value)
  if (entries.length > spec.maxKeys) throw new FieldTypeError(path, `a map of at most ${spec.maxKeys} entries`)
  for (const [k, v] of entries) {
    if (k.length > spec.maxKey) throw new FieldTypeError(join(path, k), `a key of at most ${spec.maxKey} characters`)
    if (typeof v === 'string') {
      if (v.length > spec.maxStr) throw new FieldTypeError(join(path, k), `a string of at most ${spec.maxStr} characters`)
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new FieldTypeError(join(path, k), 'a finite number')
    } else if (typeof v !== 'boolean') {
      throw new FieldTypeError(join(path, k), 'a string, number or boolean')
    }
  }
}

function join (path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}
