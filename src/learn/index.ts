/**
 * Learning: the experience library (ADD / UPDATE / DELETE / MERGE over signed `experience`
 * artifacts, near-duplicate merging, 1-bit sketches, prompt-injection refusal), retrieval of
 * relevant experiences into prompts, the training-free GRPO loop with graders and checkpoints.
 * Its held-out evaluation is in src/eval; peers' experiences are admitted by trust (src/trust), not here.
 *
 * @example
 * ```ts
 * const store = new ExperienceStore({ library, embedder, privateKey })
 * await store.add({ domain: 'veterinary', text: 'When a calf has scours, give oral rehydration salts first because dehydration kills faster.' })
 * const experiences = await experienceSource(library, embedder).relevant(question, { domain: 'veterinary', k: 5, tokenBudget: 256 })
 * const report = await learn({ store, runtime, grader: await loadGrader('exact'), tasks: readTasks('tasks.jsonl') })
 * ```
 */
export { DEFAULT_ROLLOUT_MAX_TOKENS, DEFAULT_ROLLOUT_TEMPERATURE, DEFAULT_TOKEN_BUDGET, DEFAULT_TOP_K, GENERAL_DOMAIN } from './constants.ts'
export {
  ExperienceNotFoundError, GraderFailedError, InvalidExperienceError, InvalidGraderError, InvalidLearnOptionsError, LearnError,
  MalformedOpsError, TaskFormatError, TemplateError
} from './errors.ts'
export { normalizeExperienceText, parseExperienceForm } from './experience-text.ts'
export type { ExperienceForm } from './experience-text.ts'
export { sketchCosine, sketchEmbedding } from './sketch.ts'
export type { Sketch } from './sketch.ts'
export { ExperienceStore } from './experience-store.ts'
export type { ExperienceInput, ExperienceStoreInit, OpKind, OpOptions, OpOrigin, OpRecord, OpResult } from './experience-store.ts'
export type { ExperienceState, ExperienceView } from './experience-state.ts'
export { experienceSource } from './experience-source.ts'
export type { ExperienceSource, ExperienceSourceInit, RelevantExperience, RelevantOptions } from './experience-source.ts'
export { BUILTIN_GRADERS, loadGrader } from './graders.ts'
export type { Grader, LoadGraderOptions } from './graders.ts'
export { readTasks } from './tasks.ts'
export type { Task } from './tasks.ts'
export { loadTemplate } from './templates.ts'
export type { Template, TemplateName } from './templates.ts'
export { learn } from './learn-loop.ts'
export type { EpochReport, LearnOptions, LearnProgress, LearnReport } from './learn-loop.ts'
export type { EpochStats } from './checkpoint.ts'
export { deriveSeed, runGroup } from './rollouts.ts'
