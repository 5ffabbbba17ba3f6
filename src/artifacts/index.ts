/**
 * Artifacts: the six signed, content-addressed kinds Baobab exchanges.
 *
 * @example
 * ```ts
 * const a = await createArtifact('revocation', { target: cid, reason: 'superseded' }, privateKey)
 * const same = await decodeArtifact(a.bytes, { expectedCid: a.cid }) // verifies everything
 * ```
 */
export { CHUNK_SIZE, DATA_SCALES, KINDS, MAX_ANY_SIZE } from './constants.ts'
export { createArtifact, decodeArtifact, decodeStoredArtifact, parseCid, rawCid, rawCidAsync } from './codec.ts'
export type { CreateOptions, DecodeOptions, Envelope, SignedArtifact } from './codec.ts'
export type {
  AdapterBody, BaseModel, BodyByKind, Exemplar, ExperienceBody, Kind, OutcomeBody, ParamValue,
  ReproductionBody, RevocationBody, VoteBody
} from './kinds.ts'
export { KEY_FILE, loadOrCreateIdentity } from './identity.ts'
export type { Identity } from './identity.ts'
export { fsyncPathAsync, writeFileAtomic } from './atomic-file.ts'
export type { AtomicWriteOptions } from './atomic-file.ts'
export {
  ArtifactError, CidMismatchError, FieldTypeError, InvalidKeyFileError, InvalidSignatureError,
  MalformedArtifactError, MissingFieldError, NonCanonicalEncodingError, OversizeArtifactError,
  UnexpectedFieldError, UnknownKindError, UnsupportedVersionError
} from './errors.ts'
export { bodyFromJson, envelopeToJson } from './json.ts'
