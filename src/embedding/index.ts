/**
 * Embeddings for outside stores: `denseVector()` turns the built-in sparse embedder's output into
 * a fixed, seeded dense projection of a few hundred dimensions (see dense-projection.ts).
 */
export { DENSE_DIMS, DENSE_PROJECTION_ID, denseDims, denseVector, InvalidDimensionsError, MAX_DENSE_DIMS, PROJECTION_SEED, projectSparse } from './dense-projection.ts'
