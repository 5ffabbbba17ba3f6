/** Named errors of the prompt-injection screen. */
import { BaobabError } from '../errors/index.ts'

/** Text that matches a prompt-injection pattern (refused, never stored). */
export class PromptInjectionError extends BaobabError {
  static override readonly category = 'bad-input'
  readonly pattern: string
  readonly excerpt: string
  constructor (pattern: string, excerpt: string, options?: ErrorOptions) {
    super(`refused: the text looks like a prompt injection (${pattern}): "${excerpt}"`, options)
    this.pattern = pattern
    this.excerpt = excerpt
  }
}
