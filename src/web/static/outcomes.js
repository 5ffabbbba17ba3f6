// Outcome search (what fine-tunes achieved for a task) and the synthesised recommendation.
import { api, query } from './api.js'
import { byId, el, fill, score, shortId } from './dom.js'

export function setupOutcomes () {
  const form = byId('outcome-form')
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    const action = ev.submitter?.value ?? 'search'
    const params = { task: byId('out-task').value.trim(), family: byId('out-family').value.trim(), tags: byId('out-tags').value.trim() }
    const out = byId('outcome-result')
    try {
      if (action === 'recommend') showRecommendation(out, await api.get(`/api/outcomes/recommend${query(params)}`))
      else showOutcomes(out, await api.get(`/api/outcomes${query(params)}`))
    } catch (err) {
      fill(out, el('p', { class: 'error' }, err.message))
    }
  })
}

function showOutcomes (out, rows) {
  if (rows.length === 0) return fill(out, el('p', { class: 'muted' }, 'No outcome packets for this context yet.'))
  fill(out, el('table', { class: 'table' },
    el('caption', { class: 'sr-only' }, 'Outcome packets'),
    el('thead', {}, el('tr', {}, ['Method', 'Family', 'Benchmark', 'Δ', 'n', 'Params'].map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map(o => el('tr', {},
      el('td', {}, o.method), el('td', {}, o.family), el('td', {}, o.benchmark),
      el('td', {}, `${o.delta >= 0 ? '+' : ''}${score(o.delta)}`), el('td', {}, o.nEval),
      el('td', {}, el('code', {}, Object.entries(o.params).map(([k, v]) => `${k}=${v}`).join(' '))))))))
}

function showRecommendation (out, r) {
  fill(out,
    el('p', {}, `Recommended for ${r.task}${r.family ? ` on ${r.family}` : ''} (confidence ${score(r.confidence)}${r.expectedDelta != null ? `, expected Δ ${score(r.expectedDelta)}` : ''}):`),
    el('ul', {}, Object.entries(r.params).map(([k, v]) => el('li', {}, el('code', {}, `${k} = ${v}`)))),
    el('p', { class: 'muted' }, `Evidence: ${r.evidence.map(e => `${shortId(e.cid)} (w ${score(e.weight)})`).join(', ') || 'none'}`))
}
