/**
 * Prompt templates, versioned files in `prompts/` read at run time. Each starts with
 * `<!-- baobab-prompt: <name> v<N> -->`; `{{name}}` placeholders are filled by `render`.
 * The versions are stored with a learning run's checkpoint, so a run never resumes under
 * different prompts.
 */
import { readFileSync } from 'node:fs'
import { TemplateError } from './errors.ts'

export const TEMPLATE_NAMES = ['solve', 'summarize', 'contrast'] as const
export type TemplateName = (typeof TEMPLATE_NAMES)[number]

export interface Template {
  name: TemplateName
  version: string
  body: string
}

const HEADER = /^<!--\s*baobab-prompt:\s*([a-z-]+)\s+(v\d+)\s*-->\r?\n/

export function loadTemplate (name: TemplateName, dir: URL = new URL('./prompts/', import.meta.url)): Template {
  let text: string
  try {
    text = readFileSync(new URL(`${name}.md`, dir), 'utf8')
  } catch (err) {
    throw new TemplateError(name, `cannot read ${new URL(`${name}.md`, dir).pathname}`, { cause: err })
  }
  const m = HEADER.exec(text)
  if (m == null || m[1] !== name) throw new TemplateError(name, `missing header "<!-- baobab-prompt: ${name} vN -->"`)
  return { name, version: m[2]!, body: text.slice(m[0].length) }
}

export function loadTemplates (dir?: URL): Record<TemplateName, Template> {
  return Object.fromEntries(TEMPLATE_NAMES.map(n => [n, loadTemplate(n, dir)])) as Record<TemplateName, Template>
}

/** Fills `{{name}}` placeholders; unknown placeholders are an error, values are used verbatim. */
export function render (t: Template, values: Record<string, string | number>): string {
  return t.body.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const v = values[key]
    if (v === undefined) throw new TemplateError(t.name, `no value for {{${key}}}`)
    return String(v)
  }).replace(/\n{3,}/g, '\n\n').trim()
}

/** "solve v1, summarize v1, contrast v1" */
export function templateVersions (ts: Record<TemplateName, Template>): string {
  return TEMPLATE_NAMES.map(n => `${n} ${ts[n].version}`).join(', ')
}
