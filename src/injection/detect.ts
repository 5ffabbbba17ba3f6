/**
 * Prompt-injection screen for experience text. Experiences are pasted into system prompts on
 * every node that accepts them, so text that tries to steer the model away from its instructions,
 * leak data, call tools or smuggle in role markers is refused. Used by learn and the trust screens.
 */
import { PromptInjectionError } from './errors.ts'

export interface InjectionFinding {
  /** Short name of the pattern family, e.g. `override-instructions`. */
  pattern: string
  /** The matched piece of text. */
  match: string
  /** Why it is refused, in words. */
  reason: string
}

interface Rule { pattern: string, re: RegExp, reason: string }

const RULES: Rule[] = [
  {
    pattern: 'override-instructions',
    re: /\b(ignore|disregard|forget|override|bypass|skip)\b[\s\S]{0,40}?\b(previous|prior|above|earlier|all|any|your|the|these|those|system|safety|original)\b[\s\S]{0,30}?\b(instructions?|prompts?|rules?|guidelines?|directions?|context|messages?|polic(y|ies))\b/i,
    reason: 'tells the model to ignore its instructions'
  },
  {
    pattern: 'new-instructions',
    re: /\b(new|updated|real|actual|secret|hidden)\s+(system\s+)?(instructions?|prompt|rules)\s*[:-]/i,
    reason: 'announces replacement instructions'
  },
  {
    pattern: 'role-hijack',
    re: /\b(you are now|from now on,? you|act as (an? )?(unfiltered|jailbroken|dan\b)|pretend (to be|you are)|developer mode|jailbreak)/i,
    reason: 'tries to change the model\'s role'
  },
  {
    pattern: 'reveal-prompt',
    re: /\b(reveal|print|repeat|show|output|leak|disclose)\b[\s\S]{0,30}?\b(system prompt|your (instructions|prompt|rules)|hidden prompt|api[ _-]?keys?|passwords?|secrets?|credentials?|private keys?)\b/i,
    reason: 'asks the model to disclose its prompt or secrets'
  },
  {
    pattern: 'exfiltrate',
    re: /\b(send|post|upload|email|forward|transmit|exfiltrate)\b[\s\S]{0,40}?\b(to|at)\b[\s\S]{0,20}?(https?:|www\.|@|\b\d{1,3}(\.\d{1,3}){3}\b|webhook|server|endpoint)/i,
    reason: 'asks the model to send data elsewhere'
  },
  {
    pattern: 'tool-call',
    re: /\b(call|invoke|run|execute)\s+(the\s+|a\s+|this\s+)?(tool|shell|terminal|bash|powershell)\b|<\/?(tool_call|function_call|tool)>|\brm\s+-rf\b|\b(curl|wget)\s+\S/i,
    reason: 'tells the model to call tools or run commands'
  },
  {
    pattern: 'role-marker',
    re: /<\|(im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[\/?INST\]|<<\/?SYS>>|^\s*(system|assistant|user)\s*:|\n\s*(system|assistant|user)\s*:|#{2,}\s*(system|instruction)/i,
    reason: 'contains chat role markers'
  },
  {
    pattern: 'url',
    re: /\bhttps?:\/\/\S+|\bwww\.[a-z0-9-]+\.[a-z]{2,}\S*|\b[a-z0-9-]+\.(com|net|org|io|ru|cn|xyz|top)\/\S*/i,
    reason: 'contains a URL (experiences are lessons, not links)'
  },
  {
    pattern: 'hidden-characters',
    // zero-width and bidi controls, other C0/C1 controls except tab
    // eslint-disable-next-line no-control-regex
    re: /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF\u0000-\u0008\u000B-\u001F\u007F-\u009F]/,
    reason: 'contains invisible or control characters'
  },
  {
    pattern: 'encoded-payload',
    re: /[A-Za-z0-9+/]{40,}={0,2}/,
    reason: 'contains a long encoded blob'
  }
]

/** Returns the first injection finding in `text`, or null when the text looks clean. */
export function detectInjection (text: string): InjectionFinding | null {
  for (const rule of RULES) {
    const m = rule.re.exec(text)
    if (m != null) return { pattern: rule.pattern, match: m[0].slice(0, 80), reason: rule.reason }
  }
  return null
}

/** Throws {@link PromptInjectionError} when `text` matches an injection pattern. */
export function assertNoInjection (text: string): void {
  const f = detectInjection(text)
  if (f != null) throw new PromptInjectionError(`${f.pattern}: ${f.reason}`, f.match)
}
