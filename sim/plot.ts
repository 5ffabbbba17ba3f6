/** Charts as SVG files via vega-lite (rendered headless, no browser). */
import { writeFileSync } from 'node:fs'
import * as vega from 'vega'
import * as vl from 'vega-lite'

export interface LineChart {
  title: string
  x: { field: string, title: string, log?: boolean }
  y: { field: string, title: string, log?: boolean }
  series?: string
  values: Array<Record<string, number | string>>
}

export async function writeLineChart (path: string, chart: LineChart): Promise<void> {
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: chart.title,
    width: 520,
    height: 300,
    data: { values: chart.values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: chart.x.field, type: 'quantitative', title: chart.x.title, scale: chart.x.log === true ? { type: 'log' } : {} },
      y: { field: chart.y.field, type: 'quantitative', title: chart.y.title, scale: chart.y.log === true ? { type: 'log' } : {} },
      ...(chart.series != null ? { color: { field: chart.series, type: 'nominal' } } : {})
    }
  }
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' })
  writeFileSync(path, await view.toSVG())
}

/** Empirical CDF points (x = value, y = share ≤ x), thinned to at most `points`. */
export function cdf (values: number[], points = 60): Array<{ x: number, y: number }> {
  const s = [...values].sort((a, b) => a - b)
  const out: Array<{ x: number, y: number }> = []
  const step = Math.max(1, Math.floor(s.length / points))
  for (let i = 0; i < s.length; i += step) out.push({ x: s[i]!, y: (i + 1) / s.length })
  if (s.length > 0) out.push({ x: s.at(-1)!, y: 1 })
  return out
}
