/**
 * The `baobab` routing object for the Vercel AI SDK: pass `baobabMetadataExtractor` as
 * `metadataExtractor` to `createOpenAICompatible` and read `providerMetadata.baobab` (expert,
 * abstained, scores, reason, turns, …) from `generateText`, `generateObject` and `streamText`.
 * Typed structurally so the SDK stays a dev dependency.
 *
 * @example
 * ```ts
 * const baobab = createOpenAICompatible({ name: 'baobab', baseURL: 'http://127.0.0.1:7777/v1', metadataExtractor: baobabMetadataExtractor })
 * const { text, providerMetadata } = await generateText({ model: baobab('baobab/auto'), prompt: 'My goats are coughing' })
 * providerMetadata?.baobab?.expert // { name: 'veterinary', domain: 'veterinary' }
 * ```
 */

type Json = null | string | number | boolean | Json[] | { [key: string]: Json | undefined }
type Metadata = Record<string, Record<string, Json | undefined>>

function baobabOf (body: unknown): Record<string, Json | undefined> | undefined {
  const b = (body as { baobab?: unknown } | null)?.baobab
  return b != null && typeof b === 'object' && !Array.isArray(b) ? b as Record<string, Json | undefined> : undefined
}

export const baobabMetadataExtractor = {
  async extractMetadata ({ parsedBody }: { parsedBody: unknown }): Promise<Metadata | undefined> {
    const b = baobabOf(parsedBody)
    return b == null ? undefined : { baobab: b }
  },
  createStreamExtractor () {
    // The first chunk carries the decision, the last adds warnings and `retrieved`: merge them.
    let merged: Record<string, Json | undefined> | undefined
    return {
      processChunk (parsedChunk: unknown): void {
        const b = baobabOf(parsedChunk)
        if (b != null) merged = { ...merged, ...b }
      },
      buildMetadata (): Metadata | undefined {
        return merged == null ? undefined : { baobab: merged }
      }
    }
  }
}
