/** Server-sent events: the `data` payloads of a response body, one string per event. */

export async function * sseData (body: ReadableStream<Uint8Array>): AsyncGenerator<string, void, void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let data: string[] = []
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let nl: number
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        if (nl === buffer.length - 1 && buffer.endsWith('\r')) break // maybe half of "\r\n"
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1))
        if (line === '') {
          if (data.length > 0) yield data.join('\n')
          data = []
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
        }
        // Comments (":"), "event:", "id:" and "retry:" lines carry nothing we use.
      }
    }
    const last = buffer.replace(/\r$/, '')
    if (last.startsWith('data:')) data.push(last.slice(last.startsWith('data: ') ? 6 : 5))
    if (data.length > 0) yield data.join('\n')
  } finally {
    await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}
