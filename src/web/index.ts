/**
 * The web dashboard: plain HTML, CSS and ES modules in `static/`, no build step. The HTTP API
 * serves them at `/` with `readWebAsset`.
 *
 * @example
 * ```ts
 * const asset = await readWebAsset('/app.js') // { body, contentType } or undefined
 * ```
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const WEB_ROOT = fileURLToPath(new URL('./static/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8'
}

/** Content-Security-Policy for dashboard pages: only our own scripts, styles and API. */
export const WEB_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

export interface WebAsset {
  body: Uint8Array
  contentType: string
}

const cache = new Map<string, WebAsset>()

/**
 * The asset at a URL path (`/` is `index.html`), or undefined. Only plain names under
 * `static/` are served: no `..`, no hidden files, known extensions only.
 */
export async function readWebAsset (urlPath: string): Promise<WebAsset | undefined> {
  const path = urlPath === '/' || urlPath === '' ? '/index.html' : urlPath
  if (!/^(\/[a-z0-9][a-z0-9_-]*)+\.[a-z0-9]+$/i.test(path)) return undefined
  const contentType = TYPES[extname(path).toLowerCase()]
  if (contentType == null) return undefined
  const hit = cache.get(path)
  if (hit != null) return hit
  let body: Uint8Array
  try {
    body = await readFile(WEB_ROOT + path.slice(1))
  } catch {
    return undefined
  }
  const asset = { body, contentType }
  cache.set(path, asset)
  return asset
}
