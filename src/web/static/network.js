// Peers, "sync now" and the live activity feed (server-sent events from /api/events).
import { api } from './api.js'
import { byId, el, fill, notify, score, shortId, time } from './dom.js'

const MAX_ACTIVITY = 60

export async function loadPeers () {
  const peers = await api.get('/api/peers')
  fill(byId('peers'), peers.length === 0
    ? [el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'No peers yet. Nodes on the same network appear here when they connect.'))]
    : peers.map(p => el('tr', {},
      el('td', { title: p.id }, shortId(p.id)),
      el('td', {}, p.connected ? 'yes' : 'no'),
      el('td', {}, p.latencyMs != null ? `${p.latencyMs} ms` : '–'),
      el('td', {}, p.reputation != null ? score(p.reputation) : '–'))))
  byId('sum-peers').textContent = String(peers.filter(p => p.connected).length)
}

export function setupNetwork (onEvent) {
  byId('sync-now').addEventListener('click', async () => {
    try {
      const r = await api.post('/api/sync')
      notify(`Synced with ${r.peers} peer(s): ${r.received} received, ${r.sent} sent.`)
    } catch (err) {
      notify(`Sync failed: ${err.message}`, 'error')
    }
  })
  const state = byId('live-state')
  const source = new EventSource('/api/events')
  source.addEventListener('ready', () => { state.textContent = 'live'; state.dataset.state = 'live' })
  source.addEventListener('error', () => { state.textContent = 'reconnecting…'; state.dataset.state = 'down' })
  source.addEventListener('message', (ev) => {
    let e
    try { e = JSON.parse(ev.data) } catch { return }
    addActivity(e)
    onEvent(e)
  })
  return source
}

// Peer ids and CIDs are long: show them short, with the full id on hover and for search.
const LONG_ID = /^(12D3KooW|Qm|bafy|bafk)[1-9A-Za-z]{20,}[:,.]?$/

function withShortIds (message) {
  return message.split(/(\s+)/).map(part => {
    if (!LONG_ID.test(part)) return part
    const id = part.replace(/[:,.]$/, '')
    return [el('code', { class: 'id', title: id, 'data-id': id }, shortId(id)), part.slice(id.length)]
  })
}

function addActivity (e) {
  const list = byId('activity')
  list.prepend(el('li', { 'data-type': e.type },
    el('time', { datetime: new Date(e.time).toISOString() }, time(e.time)), ' ',
    el('span', { class: `tag tag-${e.type}` }, e.type), ' ', withShortIds(e.message)))
  while (list.children.length > MAX_ACTIVITY) list.lastElementChild.remove()
}
