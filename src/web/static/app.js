// Dashboard entry: loads every panel, then keeps them fresh from the live event stream.
import { api } from './api.js'
import { loadExperts, setupAsk } from './ask.js'
import { byId, notify, shortId } from './dom.js'
import { loadLibrary, setupLibrary } from './library.js'
import { loadPeers, setupNetwork } from './network.js'
import { setupOutcomes } from './outcomes.js'
import { loadTrust } from './trust.js'

async function loadStatus () {
  const s = await api.get('/api/status')
  byId('sum-peer').textContent = shortId(s.peerId)
  byId('sum-peer').title = s.peerId
  byId('sum-network').textContent = s.network
  byId('sum-runtime').textContent = `${s.runtime.provider}/${s.runtime.modelId}`
  const k = s.library.byKind
  byId('sum-library').textContent = `${k.adapter ?? 0} adapters · ${k.experience ?? 0} experiences · ${k.outcome ?? 0} outcomes · ${s.library.byStatus.quarantined ?? 0} quarantined`
  return s
}

async function refreshKnowledge () {
  const s = await loadStatus()
  await Promise.all([loadLibrary(), loadTrust(s), loadExperts()])
}

function guard (what, p) {
  return p.catch(err => notify(`${what}: ${err.message}`, 'error'))
}

async function main () {
  setupAsk()
  setupLibrary(() => guard('Refresh', refreshKnowledge()))
  setupOutcomes()
  setupNetwork((e) => {
    if (e.type === 'peer') guard('Peers', loadPeers())
    if (e.type === 'admission' || e.type === 'library' || e.type === 'sync') guard('Refresh', refreshKnowledge())
  })
  await Promise.all([guard('Status', refreshKnowledge()), guard('Peers', loadPeers())])
  document.body.dataset.ready = 'true'
}

main()
