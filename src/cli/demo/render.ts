/** Terminal rendering for the demo and `baobab ask`: score bars, answers, colours that degrade off a TTY. */
import type { Answer } from '../../node/index.ts'

const tty = process.stdout.isTTY === true && process.env.NO_COLOR == null
const paint = (code: string) => (s: string): string => tty ? `\x1b[${code}m${s}\x1b[0m` : s
export const bold = paint('1')
export const dim = paint('2')
export const green = paint('32')
export const yellow = paint('33')
export const red = paint('31')
export const cyan = paint('36')

const WIDTH = 30

/** One bar per expert; `|` marks the abstain threshold. */
export function scoreBars (scores: Array<{ name: string, score: number }>, threshold: number | null, chosen: string | null, limit = 5): string[] {
  const nameWidth = Math.max(...scores.slice(0, limit).map(s => s.name.length), 8)
  const mark = threshold == null ? -1 : Math.round(Math.max(0, Math.min(1, threshold)) * WIDTH)
  return scores.slice(0, limit).map(s => {
    const filled = Math.round(Math.max(0, Math.min(1, s.score)) * WIDTH)
    let bar = ''
    for (let i = 0; i < WIDTH; i++) bar += i === mark ? '|' : i < filled ? '█' : '·'
    const line = `${s.name.padEnd(nameWidth)} ${bar} ${s.score.toFixed(3)}`
    return s.name === chosen ? green(line) : dim(line)
  })
}

export function renderAnswer (a: Answer, runtimeLabel: string): string[] {
  const lines: string[] = []
  const d = a.decision
  lines.push(a.expert != null
    ? `${bold('expert')}  ${green(a.expert.name)} (${a.expert.domain})${a.forced ? ' [forced]' : ''}`
    : `${bold('expert')}  ${yellow('none — abstained')}: ${d.reason}`)
  lines.push(...scoreBars(d.scores.map(s => ({ name: s.name, score: s.score })), d.threshold, a.expert?.name ?? null).map(l => `        ${l}`))
  const label = a.result.retrieved === true ? `${runtimeLabel}, retrieved` : runtimeLabel
  // the first paragraph is the answer; retrieval adds related answers after a blank line
  const first = a.result.text.split('\n\n')[0] ?? ''
  const text = first.split('\n').map(l => `        ${l}`).join('\n').trimStart()
  lines.push(`${bold('answer')}  ${dim(`[${label}]`)} ${text}`)
  if (a.experiences.length > 0) {
    lines.push(`${bold('lessons')} ${a.experiences.map(e => e.text).join('\n        ')}`)
  }
  return lines
}
