/**
 * Normalisation of packet fields so that the same context and the same method always produce the
 * same bytes and fingerprints: lower case, trimmed, single spaces, known aliases folded.
 */

/** Canonical method names and the spellings folded into them (compared after `methodKey`). */
const METHOD_ALIASES: Record<string, string[]> = {
  lora: ['lora', 'low-rank-adaptation', 'peft-lora'],
  qlora: ['qlora', 'q-lora', 'quantized-lora', 'quantised-lora', '4bit-lora', 'lora-4bit'],
  dora: ['dora', 'weight-decomposed-lora'],
  adalora: ['adalora', 'ada-lora'],
  loha: ['loha'],
  lokr: ['lokr'],
  vera: ['vera'],
  pissa: ['pissa'],
  ia3: ['ia3', '(ia)3', 'ia^3', '(ia)^3'],
  'prefix-tuning': ['prefix-tuning', 'prefix'],
  'prompt-tuning': ['prompt-tuning', 'soft-prompt'],
  'p-tuning': ['p-tuning', 'ptuning'],
  full: ['full', 'full-finetune', 'full-fine-tune', 'full-ft', 'fft', 'full-finetuning', 'full-fine-tuning', 'full-parameter'],
  dpo: ['dpo', 'direct-preference-optimization', 'direct-preference-optimisation'],
  orpo: ['orpo'],
  kto: ['kto'],
  ppo: ['ppo', 'rlhf-ppo', 'rlhf'],
  grpo: ['grpo'],
  'tf-grpo': ['tf-grpo', 'training-free-grpo'],
  'in-context': ['in-context', 'icl', 'few-shot', 'prompting'],
  merge: ['merge', 'model-merge', 'ties', 'dare', 'ties-merge', 'dare-merge']
}

const METHOD_INDEX = new Map<string, string>()
for (const [canonical, aliases] of Object.entries(METHOD_ALIASES)) {
  for (const a of aliases) METHOD_INDEX.set(a, canonical)
}

/** Param names folded to their short canonical key. */
const PARAM_ALIASES: Record<string, string> = {
  rank: 'r',
  lora_r: 'r',
  lora_rank: 'r',
  alpha: 'alpha',
  lora_alpha: 'alpha',
  learning_rate: 'lr',
  lr: 'lr',
  epochs: 'epochs',
  epoch: 'epochs',
  num_epochs: 'epochs',
  num_train_epochs: 'epochs',
  batch_size: 'batch_size',
  bs: 'batch_size',
  per_device_train_batch_size: 'batch_size',
  lora_dropout: 'dropout',
  dropout: 'dropout',
  target_modules: 'targets',
  targets: 'targets',
  dpo_beta: 'beta',
  beta: 'beta',
  warmup_ratio: 'warmup',
  warmup: 'warmup',
  weight_decay: 'wd',
  max_steps: 'steps',
  steps: 'steps'
}

/** Lower case, trim, single spaces. */
export function normaliseText (text: string): string {
  return text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ')
}

/** Model family: lower case, spaces and underscores become '-'. */
export function normaliseFamily (family: string): string {
  return normaliseText(family).replace(/[\s_]+/g, '-')
}

/** Tags: normalised text, no empties, de-duplicated, order of first appearance kept. */
export function normaliseTags (tags: readonly string[]): string[] {
  const out: string[] = []
  for (const t of tags) {
    const n = normaliseText(t)
    if (n !== '' && !out.includes(n)) out.push(n)
  }
  return out
}

function methodKey (method: string): string {
  return normaliseText(method).replace(/[\s_./]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '')
}

export interface NormalisedMethod {
  method: string
  /** False for names outside the alias table: kept (normalised), with a warning. */
  known: boolean
}

/** Folds method spellings: "LoRA" → "lora", "Q-LoRA" → "qlora", "full fine-tune" → "full". */
export function normaliseMethod (method: string): NormalisedMethod {
  const key = methodKey(method)
  const canonical = METHOD_INDEX.get(key) ?? METHOD_INDEX.get(key.replace(/-/g, ''))
  return canonical != null ? { method: canonical, known: true } : { method: key, known: false }
}

/** Param key: lower case, '-' and spaces → '_', known aliases folded ("lora_rank" → "r"). */
export function normaliseParamKey (key: string): string {
  const k = normaliseText(key).replace(/[\s-]+/g, '_')
  return PARAM_ALIASES[k] ?? k
}

/** The methods this node recognises (canonical names). */
export function knownMethods (): string[] {
  return Object.keys(METHOD_ALIASES)
}
