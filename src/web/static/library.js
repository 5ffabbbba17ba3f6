// The library table (kind/status filters) and the quarantine actions shared with the trust view.
import { api, query } from './api.js'
import { byId, el, fill, notify, shortId } from './dom.js'

let onDecided = () => {}

export function setupLibrary (afterDecision) {
  onDecided = afterDecision
  byId('library-filter').addEventListener('submit', (ev) => {
    ev.preventDefault()
    loadLibrary().catch(err => notify(`Library: ${err.message}`, 'error'))
  })
  for (const id of ['lib-kind', 'lib-status']) {
    byId(id).addEventListener('change', () => { loadLibrary().catch(err => notify(`Library: ${err.message}`, 'error')) })
  }
}

export async function loadLibrary () {
  const kind = byId('lib-kind').value
  const status = byId('lib-status').value
  const items = await api.get(`/api/library${query({ kind, status, limit: 200 })}`)
  fill(byId('library-rows'), items.length === 0
    ? [el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'Nothing matches these filters.'))]
    : items.map(a => el('tr', { 'data-cid': a.cid },
      el('td', {}, a.kind),
      el('td', { class: 'title' }, a.title),
      el('td', {}, el('span', { class: `status status-${a.status}` }, a.status)),
      el('td', {}, a.domain ?? '–'),
      el('td', { title: a.cid }, el('code', {}, shortId(a.cid))),
      el('td', {}, a.status === 'quarantined' ? decisionButtons(a) : null))))
}

/** Approve / Reject buttons for a quarantined artifact. */
export function decisionButtons (a) {
  const label = a.title || a.kind
  return el('span', { class: 'actions' },
    el('button', { type: 'button', class: 'approve', 'aria-label': `Approve ${label}`, onclick: () => decide(a, 'approve') }, 'Approve'),
    el('button', { type: 'button', class: 'reject', 'aria-label': `Reject ${label}`, onclick: () => decide(a, 'reject') }, 'Reject'))
}

async function decide (a, verdict) {
  try {
    const r = await api.post(`/api/trust/${encodeURIComponent(a.cid)}/${verdict}`)
    notify(`${r.title || r.kind} is now ${r.status}.`)
    await onDecided()
  } catch (err) {
    notify(`Could not ${verdict}: ${err.message}`, 'error')
  }
}
