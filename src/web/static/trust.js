// Trust view: the policy, what waits in quarantine (with its checks), and what was refused.
import { api, query } from './api.js'
import { byId, el, fill, shortId } from './dom.js'
import { decisionButtons } from './library.js'

export async function loadTrust (status) {
  if (status != null) byId('trust-policy').textContent = `Admission policy: ${status.policy}. Nothing a peer sends is trusted until this node decides.`
  if (status?.checks != null) {
    const names = { canary: 'Adapter canary', experience: 'Experience A/B check', reproduction: 'Outcome reproduction' }
    fill(byId('trust-checks'), Object.entries(status.checks).map(([k, c]) =>
      el('li', { 'data-check': k, class: c.available ? 'check-on' : 'check-off' }, `${names[k] ?? k}: ${c.available ? 'runs here' : 'not here'} — ${c.detail}`)))
  }
  const [waiting, rejected, revoked] = await Promise.all([
    api.get('/api/trust/quarantine'),
    api.get(`/api/library${query({ status: 'rejected', limit: 50 })}`),
    api.get(`/api/library${query({ status: 'revoked', limit: 50 })}`)
  ])
  fill(byId('quarantine'), waiting.length === 0
    ? [el('li', { class: 'muted' }, 'Quarantine is empty.')]
    : waiting.map(a => el('li', { 'data-cid': a.cid },
      el('div', {}, el('strong', {}, a.title || a.kind), ` ${a.kind}`, a.sourcePeer ? ` from ${shortId(a.sourcePeer)}` : ''),
      a.checks.length > 0 ? el('ul', { class: 'checks' }, a.checks.map(c => el('li', {}, c))) : null,
      decisionButtons(a))))
  const refused = [...rejected, ...revoked]
  fill(byId('refused'), refused.length === 0
    ? [el('li', { class: 'muted' }, 'Nothing refused.')]
    : refused.map(a => el('li', {}, el('span', { class: `status status-${a.status}` }, a.status), ` ${a.title || a.kind}`, a.reason ? ` — ${a.reason}` : '')))
}
