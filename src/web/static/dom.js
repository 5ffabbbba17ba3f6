// Small DOM helpers. Everything from the node goes in as text, never as HTML.

/** Creates an element: el('td', { class: 'x' }, 'text', child) */
export function el (tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue
    if (k === 'class') node.className = v
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v)
    else node.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue
    node.append(c instanceof Node ? c : document.createTextNode(String(c)))
  }
  return node
}

export function byId (id) {
  return document.getElementById(id)
}

/** Replaces an element's children. */
export function fill (parent, ...children) {
  parent.replaceChildren(...children.flat().filter(c => c != null))
}

export function shortId (id) {
  const s = String(id ?? '')
  return s.length > 16 ? `${s.slice(0, 8)}…${s.slice(-6)}` : s
}

export function time (ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

export function score (x) {
  return typeof x === 'number' ? x.toFixed(2) : '–'
}

/** One line in the polite status region at the top of the page. */
export function notify (message, kind = 'info') {
  const n = byId('notice')
  n.textContent = message
  n.dataset.kind = kind
}
