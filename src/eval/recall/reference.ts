/**
 * Reference numbers from gossip-handshake's results.json (Qwen2.5 0.5B and 1.5B Instruct with
 * LoRA adapters trained on the same files), read defensively: a missing piece is null.
 *
 * Upstream measured no "no adapter" base model. The nearest figure is the specialists' recall
 * off their own domain (e.g. the agronomy adapter on veterinary questions), reported as a proxy
 * and labelled as such.
 */

export interface ReferenceFigures {
  overall: number | null
  perDomain: Record<string, number>
}

export interface ReferenceRow {
  scale: string
  set: string
  model: string | null
  /** Gossip--Keyword, one pass at temperature 0.3. */
  routedOnePass: ReferenceFigures
  /** Gossip--Keyword, mean of 3 passes (0.25, 0.30, 0.35). */
  routed: ReferenceFigures
  /** The saved TIES merge (density 0.5), mean of 3 passes. */
  ties: ReferenceFigures
  /** Best TIES density of the ablation (one pass). */
  tiesBest: { density: string, overall: number } | null
  /** PEFT linear ("naive") average, one pass. */
  naive: number | null
  /** Mean recall of each single-domain specialist on the other domains' questions. */
  offDomainProxy: number | null
}

export interface ReferenceTable {
  source: string
  metric: string | null
  rows: ReferenceRow[]
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | null => (v != null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

function numbers (v: unknown): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, x] of Object.entries(obj(v) ?? {})) { const n = num(x); if (n != null) out[k] = n }
  return out
}

function figures (overall: unknown, perDomain: unknown): ReferenceFigures {
  return { overall: num(overall), perDomain: numbers(perDomain) }
}

const specialistDomain = (config: string): string => config.replace(/ only$/i, '').trim().toLowerCase().replace(/\s+/g, '_')

function offDomain (variance: Obj): number | null {
  const means: number[] = []
  for (const [config, v] of Object.entries(variance)) {
    if (!/ only$/i.test(config)) continue
    const own = specialistDomain(config)
    const others = Object.entries(numbers(obj(v)?.mean)).filter(([d]) => d !== own).map(([, x]) => x)
    if (others.length > 0) means.push(others.reduce((a, b) => a + b, 0) / others.length)
  }
  return means.length === 0 ? null : means.reduce((a, b) => a + b, 0) / means.length
}

/** Reference rows for the given sets (all sets when absent), smaller scale first. */
export function referenceTable (results: unknown, sets?: string[]): ReferenceTable | null {
  const root = obj(results)
  const experiments = obj(root?.experiments)
  if (root == null || experiments == null) return null
  const src = obj(root.source)
  const rows: ReferenceRow[] = []
  for (const [key, value] of Object.entries(experiments)) {
    const e = obj(value)
    if (e == null) continue
    const scale = typeof e.scale === 'string' ? e.scale : key.split('_')[0] ?? key
    const set = typeof e.set === 'string' ? e.set : key.split('_').slice(1).join('_')
    if (sets != null && !sets.includes(set)) continue
    const kw = obj(obj(e.router_comparison)?.keyword)
    const variance = obj(e.variance) ?? {}
    const routed = obj(variance['Gossip--Keyword'])
    const ties = obj(variance['TIES Merge'])
    let tiesBest: ReferenceRow['tiesBest'] = null
    for (const [density, v] of Object.entries(obj(e.ties_density_ablation) ?? {})) {
      const o = num(obj(v)?.overall)
      if (o != null && (tiesBest == null || o > tiesBest.overall)) tiesBest = { density, overall: o }
    }
    rows.push({
      scale,
      set,
      model: typeof e.base_model === 'string' ? e.base_model : null,
      routedOnePass: figures(kw?.overall, kw?.per_domain),
      routed: figures(routed?.overall_mean, routed?.mean),
      ties: figures(ties?.overall_mean, ties?.mean),
      tiesBest,
      naive: num(obj(obj(e.naive_vs_ties)?.['Naive Average'])?.overall),
      offDomainProxy: offDomain(variance)
    })
  }
  rows.sort((a, b) => a.set.localeCompare(b.set) || parseFloat(a.scale) - parseFloat(b.scale))
  const source = src == null ? 'results.json' : `${String(src.repository)}@${String(src.commit).slice(0, 7)}`
  return { source, metric: typeof root.metric === 'string' ? root.metric : null, rows }
}
