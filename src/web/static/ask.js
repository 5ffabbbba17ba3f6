// The Ask box and the routing panel: score bar per expert, the chosen expert, the abstain
// threshold line, the exemplars that decided and the experiences put into the prompt.
import { api } from './api.js'
import { byId, el, fill, notify, score } from './dom.js'

export async function loadExperts () {
  const select = byId('ask-expert')
  const chosen = select.value
  const experts = await api.get('/api/experts')
  fill(select,
    el('option', { value: '' }, 'auto (route)'),
    experts.map(e => el('option', { value: e.name }, `${e.name} (${e.domain})`)))
  if (experts.some(e => e.name === chosen)) select.value = chosen
}

export function setupAsk () {
  const form = byId('ask-form')
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    const question = byId('ask-question').value.trim()
    if (question === '') return
    const expert = byId('ask-expert').value
    const answer = byId('answer')
    const button = byId('ask-submit')
    button.disabled = true
    answer.setAttribute('aria-busy', 'true')
    answer.textContent = 'Routing…'
    try {
      const r = await api.post('/api/ask', expert === '' ? { question } : { question, expert })
      answer.textContent = r.text
      answer.classList.toggle('retrieved', r.retrieved)
      renderRoute(r.route)
    } catch (err) {
      answer.textContent = ''
      notify(`Ask failed: ${err.message}`, 'error')
    } finally {
      button.disabled = false
      answer.setAttribute('aria-busy', 'false')
    }
  })
  // Ctrl/Cmd+Enter sends from the textarea.
  byId('ask-question').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) form.requestSubmit()
  })
}

export function renderRoute (route) {
  const decision = byId('route-decision')
  if (route.expert != null) {
    decision.replaceChildren('Chosen expert: ', el('strong', { id: 'route-chosen' }, route.expert.name),
      ` (${route.expert.domain})${route.forced ? ', forced' : ''}`)
    decision.dataset.state = 'chosen'
  } else {
    decision.replaceChildren(el('strong', { id: 'route-chosen' }, 'Abstained'), ': no expert is confident enough.')
    decision.dataset.state = 'abstained'
  }
  const max = Math.max(1e-9, route.threshold ?? 0, ...route.scores.map(s => s.score))
  const scale = Math.max(1, max)
  const rows = route.scores.map(s => {
    const fillBar = el('div', { class: 'fill' })
    fillBar.style.width = `${Math.max(0, s.score) / scale * 100}%`
    const track = el('div', { class: 'track', 'aria-hidden': 'true' }, fillBar)
    if (route.threshold != null) {
      const line = el('div', { class: 'threshold', title: `abstain threshold ${score(route.threshold)}` })
      line.style.left = `${route.threshold / scale * 100}%`
      track.append(line)
    }
    const chosen = route.expert?.name === s.name
    return el('div', { role: 'listitem', class: `score-row${chosen ? ' chosen' : ''}`, 'data-expert': s.name },
      el('span', { class: 'name', title: s.name }, s.name),
      el('span', { class: 'mark' }, chosen ? el('span', { class: 'badge' }, 'chosen') : null),
      track,
      el('span', { class: 'value' }, score(s.score)))
  })
  fill(byId('route-scores'), rows)
  const thr = route.threshold != null ? `Abstain threshold ${score(route.threshold)} (line)` : 'No threshold'
  const margin = route.margin != null ? `, margin ${score(route.margin)}` : ''
  byId('route-reason').textContent = `${route.reason.replace(/[.\s]+$/, '')}. ${thr}${margin}.`
  fill(byId('route-exemplars'), route.topExemplars.length === 0
    ? [el('li', { class: 'muted' }, 'none')]
    : route.topExemplars.map(x => el('li', {}, el('span', { class: 'tag' }, x.expert), ` ${x.q} `, el('span', { class: 'muted' }, score(x.score)))))
  fill(byId('route-experiences'), route.experiences.length === 0
    ? [el('li', { class: 'muted' }, 'none')]
    : route.experiences.map(x => el('li', {}, x.text)))
}
