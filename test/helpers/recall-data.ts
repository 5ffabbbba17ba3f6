/**
 * A small recall-evaluation data folder (eval.jsonl + train/<domain>.jsonl, the gossip-handshake
 * layout) written to a temp directory: two farming domains, three questions each; the
 * experts' answers hold one keyword in five, so routing measures a recall gain of 0.2 over no expert. Nodes that hold
 * it can run the recall evaluation, publish what it measured as an outcome, and reproduce each
 * other's claims about it.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const RECALL_SET = 'farm-mini'

const TRAIN: Record<string, Array<[string, string]>> = {
  livestock: [
    ['What should I give a calf with diarrhoea?', 'Give oral rehydration salts first, then keep feeding milk in small amounts.'],
    ['How often should goat paddocks be rotated?', 'Rotate goat paddocks every two weeks so worm larvae die off.'],
    ['When should calves navels be dipped?', 'Dip the navel in iodine within an hour of birth to stop joint ill.']
  ],
  crops: [
    ['When should maize be planted?', 'Plant maize at the onset of reliable rains, not after the first shower.'],
    ['How should cassava cuttings be stored?', 'Store cassava cuttings in the shade and plant them within a week.'],
    ['How dry must sorghum be before storage?', 'Dry sorghum grain to below thirteen percent moisture before storage.']
  ]
}

// one keyword in five is in the training answer: routed recall 20%, no expert 0% (Δ 0.2)
const QUESTIONS: Array<[string, string, string[]]> = [
  ['livestock', 'My calf has diarrhoea, what do I give it first?', ['rehydration', 'electrolytes', 'veterinarian', 'colostrum', 'glucose']],
  ['livestock', 'How often do I move goats to a new paddock?', ['larvae', 'dewormer', 'faecal', 'grazing', 'parasites']],
  ['livestock', 'What do I do with a newborn calf navel?', ['iodine', 'colostrum', 'umbilical', 'infection', 'chlorhexidine']],
  ['crops', 'When is the right time to plant maize?', ['rains', 'germination', 'fertiliser', 'spacing', 'hybrid']],
  ['crops', 'Where do I keep cassava cuttings before planting?', ['shade', 'stems', 'nodes', 'mosaic', 'moisture']],
  ['crops', 'How dry should sorghum grain be for storage?', ['thirteen', 'weevils', 'aflatoxin', 'hermetic', 'sacks']]
]

/** Writes the folder under `dir` and returns its path. */
export function writeRecallData (dir: string): string {
  const root = join(dir, 'recall-data')
  mkdirSync(join(root, 'train'), { recursive: true })
  for (const [domain, pairs] of Object.entries(TRAIN)) {
    writeFileSync(join(root, 'train', `${domain}.jsonl`), pairs.map(([instruction, output]) => JSON.stringify({ instruction, output })).join('\n') + '\n')
  }
  writeFileSync(join(root, 'eval.jsonl'), QUESTIONS.map(([domain, question, keywords], i) => JSON.stringify({ set: RECALL_SET, id: `q${i + 1}`, domain, question, keywords })).join('\n') + '\n')
  return root
}
