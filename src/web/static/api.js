// The node API, from the browser. Errors carry the server's message ({error:{message}}).

export class ApiError extends Error {
  constructor (status, body) {
    super(body?.error?.message ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.code = body?.error?.code
  }
}

async function call (method, path, body) {
  const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' }
  // the server takes writes only as JSON (a cross-site form cannot send that)
  if (method !== 'GET') init.headers['content-type'] = 'application/json'
  if (body !== undefined) init.body = JSON.stringify(body)
  const res = await fetch(path, init)
  let data = null
  try { data = await res.json() } catch { data = null }
  if (!res.ok) throw new ApiError(res.status, data)
  return data
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, body),
  del: (path) => call('DELETE', path)
}

export function query (params) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, v)
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}
