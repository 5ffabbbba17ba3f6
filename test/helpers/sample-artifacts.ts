/** Realistic bodies for every artifact kind, shared by tests. */
import { rawCid } from '../../src/artifacts/index.ts'
import type { BodyByKind, Kind } from '../../src/artifacts/index.ts'

const chunk = rawCid(new TextEncoder().encode('chunk-0'))

export function sampleBodies (): { [K in Kind]: BodyByKind[K] } {
  return {
    adapter: {
      name: 'maize-agronomy',
      domain: 'agronomy',
      description: 'Planting, fertiliser and pest advice for smallholder maize.',
      base: { family: 'llama', model: 'tinyllama-1.1b' },
      format: 'gguf-lora',
      rank: 4,
      alpha: 8,
      targets: ['attn_q', 'attn_v'],
      bytes: 7,
      chunks: [chunk],
      exemplars: [{ q: 'When should I plant maize?', a: 'At the onset of reliable rains.' }],
      license: 'CC-BY-4.0'
    },
    experience: {
      text: 'When a calf has scours, give oral rehydration salts first because dehydration kills faster than the infection.',
      domain: 'veterinary',
      tags: ['calves', 'scours'],
      confidence: 0.8,
      evidence: { groups: 4, meanReward: 0.62 },
      sketch: { embedder: 'builtin:hash-ngram@1', bits: new Uint8Array(48).fill(0xa5), scale: 0.051 }
    },
    outcome: {
      family: 'qwen2.5-0.5b',
      task: 'clinical note summarisation',
      tags: ['medical', 'summarisation', 'english'],
      dataScale: 'm',
      benchmark: 'rouge-l',
      baseline: 0.312,
      score: 0.371,
      delta: 0.371 - 0.312,
      method: 'lora',
      params: { r: 16, alpha: 32, lr: 0.0002, epochs: 3, targets: 'q,v' },
      heldOut: true,
      nEval: 500,
      confidence: 0.9
    },
    vote: { target: chunk, verdict: 1, score: 0.9, reason: 'canary-pass', evidence: { with: 0.71, without: 0.64, n: 40 } },
    reproduction: { target: chunk, measuredDelta: 0.041, nEval: 200 },
    revocation: { target: chunk, reason: 'superseded by a retrained version' }
  }
}
