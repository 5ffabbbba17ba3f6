import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { contentTokens, stem, words } from '../../src/embedding/text.ts'
import { hashEmbedder } from '../../src/embedding/index.ts'

const cos = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0)

describe('text normalisation', () => {
  it('folds inflections, British/American spellings and irregular plurals to one stem', () => {
    const same = [
      ['irrigation', 'irrigated', 'irrigate', 'irrigating'],
      ['fertiliser', 'fertilizer', 'fertilisers', 'fertilization'],
      ['vaccinate', 'vaccinated', 'vaccination'],
      ['fungus', 'fungi'],
      ['larva', 'larvae'],
      ['calf', 'calves'],
      ['plant', 'plants', 'planting', 'planted'],
      ['fly', 'flies']
    ]
    for (const group of same) assert.equal(new Set(group.map(stem)).size, 1, group.join(', ') + ' → ' + group.map(stem).join(', '))
    assert.notEqual(stem('water'), stem('waste'))
  })

  it('drops stop words, folds accents and keeps numbers', () => {
    assert.deepEqual(words('Café CRÈME, 12% à 4 AM!'), ['cafe', 'creme', '12', 'a', '4', 'am'])
    assert.deepEqual(contentTokens('How do I treat my cows for ticks?').map(t => t.raw), ['treat', 'cows', 'ticks'])
    assert.deepEqual(contentTokens(''), [])
  })
})

describe('no vocabulary of its own', () => {
  it('relates words only by form (stems, character n-grams), never by a built-in word list', () => {
    const docs = ['Cattle ticks are controlled by dipping.', 'Chlorinate the well after a flood.', 'Reset the password in the admin console.']
    const e = hashEmbedder(); e.fit(docs)
    assert.equal(cos(e.embedSync('cow'), e.embedSync('cattle')), 0, 'synonyms with no shared form do not meet')
    assert.ok(cos(e.embedSync('how much chlorine'), e.embedSync(docs[1]!)) > 0.05, 'chlorine meets chlorinate through shared n-grams')
    assert.ok(cos(e.embedSync('forgot my pasword'), e.embedSync(docs[2]!)) > 0.05, 'a typo still meets its word')
    assert.ok(cos(e.embedSync('how much chlorine'), e.embedSync(docs[0]!)) < 0.05)
  })
})

describe('built-in embedder', () => {
  it('changes its id when fitted, and embeds the same text the same way', () => {
    const e = hashEmbedder({ dims: 1024 })
    const unfitted = e.id
    e.fit(['a b c', 'maize seed depth'])
    assert.notEqual(e.id, unfitted)
    assert.ok(e.id.startsWith(e.idPrefix))
    const again = hashEmbedder({ dims: 1024 }); again.fit(['a b c', 'maize seed depth'])
    assert.equal(again.id, e.id)
    assert.deepEqual(e.embedSync('maize'), again.embedSync('maize'))
    const p = e.embedPacked('maize seed')
    assert.ok(p.idx != null && p.idx.every((x, i) => i === 0 || x > p.idx![i - 1]!), 'sorted sparse indices')
  })

  it('measures vocabulary coverage and evidence', () => {
    const e = hashEmbedder()
    e.fit(['Stocking tilapia fingerlings in earthen ponds.', 'Lumpy skin disease in cattle causes nodules.'])
    assert.equal(e.coverage('tilapia ponds'), 1)
    assert.equal(e.coverage('football referee offside'), 0)
    assert.ok(e.coverage('how many baby tilapia per pond for beginners') < 1)
    assert.equal(e.coverage('cattle with nodules'), 1)
    const partly = e.coverage('cattle with nodules and lumps')
    assert.ok(partly > 0.3 && partly < 1, 'two of three words known')
    assert.equal(e.coverage('ponds', { excludeDoc: 'Stocking tilapia fingerlings in earthen ponds.' }), 0, 'leave-one-out removes the only document')
    assert.equal(e.evidence('baby tilapia in my pond', ['Stocking tilapia fingerlings in earthen ponds.']), 2)
    assert.equal(e.evidence('roast a chicken', ['Stocking tilapia fingerlings in earthen ponds.']), 0)
  })

  it('rejects bad options', () => {
    assert.throws(() => hashEmbedder({ dims: 1000 }), { name: 'InvalidEmbedderOptionsError' })
    assert.throws(() => hashEmbedder({ weights: { word: -1 } }), { name: 'InvalidEmbedderOptionsError' })
    assert.throws(() => hashEmbedder({ weights: { word: 0, char: 0 } }), { name: 'InvalidEmbedderOptionsError' })
    assert.throws(() => hashEmbedder({ charNgrams: [5, 3] }), { name: 'InvalidEmbedderOptionsError' })
  })
})
