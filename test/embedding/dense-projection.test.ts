import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { denseVector, InvalidDimensionsError, MAX_DENSE_DIMS } from '../../src/embedding/index.ts'
import { DENSE_DIMS, projectSparse } from '../../src/embedding/dense-projection.ts'
import { hashEmbedder } from '../../src/embedding/index.ts'

const cos = (x: number[], y: number[]): number => x.reduce((s, v, i) => s + v * y[i]!, 0)
const dot = (x: ArrayLike<number>, y: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!; return s }

describe('dense projection of sparse embeddings', () => {
  const embedder = hashEmbedder()
  const texts = ['my goats are coughing', 'goat with a cough and runny nose', 'how deep to plant maize seed', 'tilapia pond oxygen at dawn', 'maize seed planting depth']

  it('is fixed: the same input gives the same vector, unit length, default 384 dimensions', async () => {
    const { embeddings } = await embedder.doEmbed({ values: texts })
    assert.ok(embedder.dims > MAX_DENSE_DIMS)
    const a = denseVector(embeddings[0]!)
    assert.equal(a.length, DENSE_DIMS)
    assert.deepEqual(denseVector(embeddings[0]!), a)
    assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-6)
  })

  it('keeps cosine similarity within ~3/sqrt(d) and the nearest neighbour of each text', async () => {
    const { embeddings } = await embedder.doEmbed({ values: texts })
    const dense = embeddings.map(e => denseVector(e))
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        assert.ok(Math.abs(cos(dense[i]!, dense[j]!) - dot(embeddings[i]!, embeddings[j]!)) < 3 / Math.sqrt(DENSE_DIMS), `${i},${j}`)
      }
    }
    assert.ok(cos(dense[0]!, dense[1]!) > cos(dense[0]!, dense[2]!))
    assert.ok(cos(dense[2]!, dense[4]!) > cos(dense[2]!, dense[3]!))
  })

  it('a shorter vector is the re-normalised prefix of a longer one', () => {
    const sparse = new Float32Array(70_000)
    sparse[5] = 0.6
    sparse[69_999] = 0.8
    const long = projectSparse(sparse, 1024)
    const short = projectSparse(sparse, 100)
    const prefix = long.slice(0, 100)
    const n = Math.hypot(...prefix)
    for (let j = 0; j < 100; j++) assert.ok(Math.abs(short[j]! - prefix[j]! / n) < 1e-6)
  })

  it('dense vectors of a model are kept, cut to `dimensions` when asked; bad sizes are named errors', () => {
    const v = [0.6, 0.8, 0, 0]
    assert.deepEqual(denseVector(v), v)
    assert.deepEqual(denseVector(v, 1), [1])
    assert.throws(() => projectSparse(new Float32Array(2000), 0), InvalidDimensionsError)
    assert.throws(() => projectSparse(new Float32Array(2000), 4096), InvalidDimensionsError)
    assert.deepEqual(projectSparse(new Float32Array(2000), 8), new Array(8).fill(0), 'an all-zero input stays zero')
  })
})
