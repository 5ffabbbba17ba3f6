/** The shape every screen returns: named checks, the first failure as the reason, evidence for the vote. */
import { detectInjection } from '../injection/index.ts'
import type { ParamValue } from '../artifacts/index.ts'

export interface Check {
  name: string
  ok: boolean
  detail: string
}

export type ScreenVerdict = 'pass' | 'fail' | 'hold'

export interface ScreenReport {
  /** `hold`: nothing wrong found, but the artifact must wait (e.g. for a reproduction). */
  verdict: ScreenVerdict
  /** Machine code of the deciding check, e.g. `adapter-norm`; `ok` when everything passed. */
  code: string
  /** Human reason: the first failing check's detail, or a summary when all passed. */
  reason: string
  checks: Check[]
  evidence: Record<string, ParamValue>
}

export class Checks {
  readonly list: Check[] = []
  readonly evidence: Record<string, ParamValue> = {}
  private held: Check | undefined

  /** Records a check; returns `ok` so callers can stop early. */
  add (name: string, ok: boolean, detail: string): boolean {
    this.list.push({ name, ok, detail })
    return ok
  }

  /** Records that the artifact must wait; the first hold wins. */
  hold (name: string, detail: string): void {
    const c = { name, ok: true, detail }
    this.list.push(c)
    this.held ??= c
  }

  get failed (): boolean {
    return this.list.some(c => !c.ok)
  }

  report (summary: string): ScreenReport {
    const fail = this.list.find(c => !c.ok)
    if (fail != null) return { verdict: 'fail', code: fail.name, reason: `${fail.name}: ${fail.detail}`, checks: this.list, evidence: this.evidence }
    if (this.held != null) return { verdict: 'hold', code: this.held.name, reason: this.held.detail, checks: this.list, evidence: this.evidence }
    return { verdict: 'pass', code: 'ok', reason: summary, checks: this.list, evidence: this.evidence }
  }
}

const URLS = /\bhttps?:\/\/\S+|\bwww\.[a-z0-9-]+\.[a-z]{2,}\S*/gi

/**
 * Injection screen over text fields (records one check: the first finding, or a pass).
 * `allowUrls` for fields where a link is not an attack in itself.
 */
export function injectionCheck (checks: Checks, fields: Array<[string, string]>, allowUrls = false): boolean {
  for (const [field, text] of fields) {
    const finding = detectInjection(allowUrls ? text.replace(URLS, ' ') : text)
    if (finding == null) continue
    return checks.add('injection', false, `${field}: ${finding.pattern} (${finding.reason}): "${finding.match}"`)
  }
  return checks.add('injection', true, `${fields.length} text field(s) free of injection patterns`)
}

export function fmt (x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  return a !== 0 && (a < 0.001 || a >= 1e5) ? x.toExponential(2) : String(Math.round(x * 1000) / 1000)
}
