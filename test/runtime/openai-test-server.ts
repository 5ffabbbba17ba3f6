/**
 * An in-test HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol (JSON and
 * SSE streaming, usage, error statuses), standing in for llama-server / vLLM / Ollama. Answers
 * are deterministic: "<model>[+lora ids] answers: <question words> one two three ...", cut at
 * `max_tokens` words. A script of faults can be queued for the next requests. When the request
 * forces a tool (`tool_choice` "required" or a named function), the answer is a call of the first
 * such tool with `{"q": <question>}` (streamed in two argument pieces).
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault =
  | { status: number, retryAfter?: string, body?: string }
  | { hang: true }
  | { malformed: true }
  | { streamError: true }
  | { stallAfterFirstChunk: true }
  | { noUsage: true }

export interface RecordedRequest {
  path: string
  headers: IncomingMessage['headers']
  body: Record<string, unknown>
}

interface Msg { role: string, content: string | null }

export interface OpenAiTestServer {
  baseUrl: string
  requests: RecordedRequest[]
  /** Faults for the next requests, in order. */
  faults: Fault[]
  close: () => Promise<void>
}

const FILLER = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen'

function answerWords (body: Record<string, unknown>): string[] {
  const messages = (body.messages as Msg[] | undefined) ?? []
  const question = [...messages].reverse().find(m => m.role === 'user')?.content ?? ''
  const lora = Array.isArray(body.lora) ? `+lora${JSON.stringify(body.lora)}` : ''
  return `${String(body.model)}${lora} answers: ${question} ${FILLER}`.split(/\s+/).filter(w => w !== '')
}

const words = (messages: Msg[]): number => messages.reduce((n, m) => n + (m.content ?? '').split(/\s+/).filter(w => w !== '').length, 0)

function forcedCall (body: Record<string, unknown>): { name: string, arguments: string } | null {
  const tools = (body.tools as Array<{ function: { name: string } }> | undefined) ?? []
  const choice = body.tool_choice as string | { function: { name: string } } | undefined
  if (tools.length === 0 || choice == null || choice === 'auto' || choice === 'none') return null
  const name = typeof choice === 'string' ? tools[0]!.function.name : choice.function.name
  const question = [...(body.messages as Msg[])].reverse().find(m => m.role === 'user')?.content ?? ''
  return { name, arguments: JSON.stringify({ q: question }) }
}

function sendToolCall (res: ServerResponse, body: Record<string, unknown>, call: { name: string, arguments: string }): void {
  const usage = { prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 }
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_x', type: 'function', function: call }] }, finish_reason: 'tool_calls' }], usage }))
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const half = Math.floor(call.arguments.length / 2)
  const deltas = [
    { tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: call.name, arguments: call.arguments.slice(0, half) } }] },
    { tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(half) } }] }
  ]
  for (const delta of deltas) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`)
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }], usage })}\n\ndata: [DONE]\n\n`)
  res.end()
}

export async function startOpenAiTestServer (options: { apiKey?: string } = {}): Promise<OpenAiTestServer> {
  const state: Omit<OpenAiTestServer, 'close' | 'baseUrl'> = { requests: [], faults: [] }
  const hanging = new Set<ServerResponse>()

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw = ''
    for await (const chunk of req) raw += String(chunk)
    const body = JSON.parse(raw) as Record<string, unknown>
    state.requests.push({ path: req.url ?? '', headers: req.headers, body })
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}')
      return
    }
    if (options.apiKey != null && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"bad api key"}}')
      return
    }
    const fault = state.faults.shift()
    if (fault != null && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter != null ? { 'retry-after': fault.retryAfter } : {}) })
      res.end(fault.body ?? JSON.stringify({ error: { message: `scripted ${fault.status}` } }))
      return
    }
    if (fault != null && 'hang' in fault) {
      hanging.add(res)
      return
    }
    if (fault != null && 'malformed' in fault) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ this is not json')
      return
    }
    const call = forcedCall(body)
    if (call != null) {
      sendToolCall(res, body, call)
      return
    }
    const all = answerWords(body)
    const max = typeof body.max_tokens === 'number' ? body.max_tokens : all.length
    const out = all.slice(0, max)
    const finish = out.length < all.length ? 'length' : 'stop'
    const usage = { prompt_tokens: words(body.messages as Msg[]), completion_tokens: out.length, total_tokens: 0 }
    const id = `chatcmpl-${state.requests.length}`
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({
        id,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: out.join(' ') }, finish_reason: finish }],
        ...(fault != null && 'noUsage' in fault ? {} : { usage })
      }))
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const send = (obj: unknown): boolean => res.write(`data: ${JSON.stringify(obj)}\n\n`)
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): unknown =>
      ({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })
    send(chunk({ role: 'assistant', content: '' }))
    for (const [i, w] of out.entries()) {
      send(chunk({ content: i === 0 ? w : ` ${w}` }))
      if (i === 0 && fault != null && 'stallAfterFirstChunk' in fault) {
        hanging.add(res)
        return
      }
      if (i === 1 && fault != null && 'streamError' in fault) {
        send({ error: { message: 'model crashed', type: 'server_error' } })
        res.end()
        return
      }
    }
    send(chunk({}, finish))
    const so = body.stream_options as { include_usage?: boolean } | undefined
    if (so?.include_usage === true && !(fault != null && 'noUsage' in fault)) send({ id, object: 'chat.completion.chunk', choices: [], usage })
    res.write('data: [DONE]\n\n')
    res.end()
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests () { return state.requests },
    get faults () { return state.faults },
    set faults (f: Fault[]) { state.faults = f },
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}
