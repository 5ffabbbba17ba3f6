/** The OpenAPI 3.1 description served at `/openapi.json` (hand-written, kept beside the routes). */

type Json = Record<string, unknown>

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` })
const ok = (schema: Json, description = 'OK'): Json => ({ 200: { description, content: { 'application/json': { schema } } } })
const errors: Json = {
  400: { $ref: '#/components/responses/BadRequest' },
  401: { $ref: '#/components/responses/Unauthorized' },
  403: { $ref: '#/components/responses/Forbidden' },
  429: { $ref: '#/components/responses/RateLimited' }
}
const jsonBody = (schema: Json): Json => ({ required: true, content: { 'application/json': { schema } } })
const q = (name: string, description: string, required = false): Json => ({ name, in: 'query', required, schema: { type: 'string' }, description })
const cidPath: Json = { name: 'cid', in: 'path', required: true, schema: { type: 'string' } }
const op = (summary: string, responses: Json, extra: Json = {}): Json => ({ summary, responses: { ...responses, ...errors }, ...extra })
const obj = (properties: Json, required: string[] = []): Json => ({ type: 'object', properties, required })
const str = { type: 'string' }
const num = { type: 'number' }
const arr = (items: Json): Json => ({ type: 'array', items })

export function openapiDocument (): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Baobab node API',
      version: '1',
      description: 'OpenAI-compatible chat/embeddings with per-request expert routing, plus the node API. ' +
        'Errors: `{error:{message,type,param,code}}`. Off loopback every request needs `Authorization: Bearer <token>`.'
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: {
      '/v1/models': { get: op('Experts as models: baobab/auto plus baobab/<expert>', ok(obj({ object: str, data: arr(obj({ id: str, object: str, created: num, owned_by: str })) }))) },
      '/v1/chat/completions': {
        post: op('Chat completion, routed (baobab/auto) or forced (baobab/<expert>); stream=true gives SSE chunks',
          { ...ok(ref('ChatCompletion')), 404: { $ref: '#/components/responses/NotFound' }, 413: { $ref: '#/components/responses/TooLarge' } },
          { requestBody: jsonBody(ref('ChatRequest')) })
      },
      '/v1/models/{id}': { get: op('One model (baobab/auto or baobab/<expert>)', { ...ok(obj({ id: str, object: str, created: num, owned_by: str })), 404: { $ref: '#/components/responses/NotFound' } }, { parameters: [{ name: 'id', in: 'path', required: true, schema: str }] }) },
      '/v1/completions': {
        post: op('Text completion: the prompt is one user turn, routed like chat; stream=true gives SSE text_completion chunks',
          { ...ok(obj({ id: str, object: str, choices: arr(obj({ index: num, text: str, finish_reason: str })) })), 404: { $ref: '#/components/responses/NotFound' } },
          { requestBody: jsonBody(obj({ model: str, prompt: str, stream: { type: 'boolean' }, max_tokens: num, stop: { oneOf: [str, arr(str)] } }, ['model', 'prompt'])) })
      },
      '/v1/embeddings': { post: op('Dense embeddings: the built-in embedder\'s seeded projection (384 dimensions unless `dimensions`, at most 1024) or a dense model\'s own vectors', ok(obj({ object: str, model: str, data: arr(obj({ index: num, embedding: arr(num) })) })), { requestBody: jsonBody(obj({ model: str, input: { oneOf: [str, arr(str)] }, dimensions: num }, ['input'])) }) },
      '/api/status': { get: op('Node status', ok(obj({ peerId: str, network: str, peers: num }))) },
      '/api/peers': { get: op('Known peers', ok(arr(obj({ id: str, addrs: arr(str), connected: { type: 'boolean' } })))) },
      '/api/experts': { get: op('Experts the router can choose', ok(arr(obj({ name: str, domain: str, cid: str })))) },
      '/api/library': {
        get: op('List artifacts', ok(arr(ref('Artifact'))), { parameters: [q('kind', 'adapter, experience, outcome, vote, reproduction, revocation'), q('status', 'quarantined, trusted, rejected, revoked'), q('domain', ''), q('author', ''), q('limit', '1..1000')] }),
        post: op('Add an encoded signed artifact (raw bytes, or JSON {bytes: base64}); it goes through admission', ok(obj({ cid: str, inserted: { type: 'boolean' }, status: str })),
          { requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } }, 'application/json': { schema: obj({ bytes: str }, ['bytes']) } } } })
      },
      '/api/library/{cid}': {
        get: op('One artifact with its envelope', ok(ref('Artifact')), { parameters: [cidPath] }),
        delete: op('Remove an artifact', ok(obj({ removed: str })), { parameters: [cidPath] })
      },
      '/api/route': { post: op('Explain the routing decision for a question', ok(ref('Route')), { requestBody: jsonBody(obj({ question: str, expert: str }, ['question'])) }) },
      '/api/ask': { post: op('Route and answer; stream=true gives SSE events route, delta*, finish', ok(obj({ route: ref('Route'), text: str, model: str })), { requestBody: jsonBody(obj({ question: str, messages: arr(obj({ role: str, content: str })), expert: str, stream: { type: 'boolean' }, maxTokens: num })) }) },
      '/api/experiences': { get: op('List experiences', ok(arr(ref('Experience'))), { parameters: [q('domain', ''), q('limit', '')] }) },
      '/api/experiences/search': { get: op('Experiences nearest a query', ok(arr(ref('Experience'))), { parameters: [q('q', 'query text', true), q('limit', '')] }) },
      '/api/outcomes': { get: op('Outcome packets for a task context', ok(arr(obj({ cid: str, task: str, delta: num, params: { type: 'object' } }))), { parameters: [q('task', '', true), q('family', ''), q('tags', 'comma-separated'), q('limit', '')] }) },
      '/api/outcomes/recommend': { get: op('Synthesised configuration with its evidence', ok(obj({ params: { type: 'object' }, confidence: num, evidence: arr(obj({ cid: str, weight: num })) })), { parameters: [q('task', '', true), q('family', ''), q('tags', 'comma-separated')] }) },
      '/api/trust/quarantine': { get: op('Artifacts waiting for a decision', ok(arr(ref('Artifact')))) },
      '/api/trust/{cid}/approve': { post: op('Trust a quarantined artifact', ok(ref('Artifact')), { parameters: [cidPath] }) },
      '/api/trust/{cid}/reject': { post: op('Reject a quarantined artifact', ok(ref('Artifact')), { parameters: [cidPath] }) },
      '/api/sync': { post: op('Sync with connected peers now', ok(obj({ peers: num, received: num, sent: num, errors: arr(str) }))) },
      '/api/events': { get: op('Live activity (SSE): peer, sync, admission, route, library events', { 200: { description: 'event stream', content: { 'text/event-stream': { schema: str } } } }) }
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        BadRequest: { description: 'bad input', content: { 'application/json': { schema: ref('Error') } } },
        Unauthorized: { description: 'missing or invalid token', content: { 'application/json': { schema: ref('Error') } } },
        Forbidden: { description: 'Host or Origin not allowed (http.allowedHosts, http.allowedOrigins)', content: { 'application/json': { schema: ref('Error') } } },
        UnsupportedMediaType: { description: 'a write (POST, PUT, PATCH, DELETE) that is not application/json', content: { 'application/json': { schema: ref('Error') } } },
        NotFound: { description: 'unknown model or item', content: { 'application/json': { schema: ref('Error') } } },
        TooLarge: { description: 'body too large', content: { 'application/json': { schema: ref('Error') } } },
        RateLimited: { description: 'too many requests (see Retry-After)', content: { 'application/json': { schema: ref('Error') } } }
      },
      schemas: {
        Error: obj({ error: obj({ message: str, type: str, param: { type: ['string', 'null'] }, code: str }, ['message', 'type', 'code']) }, ['error']),
        ChatRequest: obj({
          model: str,
          messages: arr(obj({ role: { enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] }, content: { oneOf: [str, { type: 'null' }] }, tool_calls: arr(obj({ id: str, type: str, function: obj({ name: str, arguments: str }) })), tool_call_id: str, name: str }, ['role'])),
          stream: { type: 'boolean' },
          max_tokens: num,
          temperature: num,
          seed: num,
          stop: { oneOf: [str, arr(str)] },
          tools: arr(obj({ type: str, function: obj({ name: str, description: str, parameters: { type: 'object' } }) })),
          tool_choice: { oneOf: [str, { type: 'object' }] },
          response_format: obj({ type: { enum: ['text', 'json_object', 'json_schema'] }, json_schema: { type: 'object' } })
        }, ['model', 'messages']),
        ChatCompletion: obj({ id: str, object: str, model: str, choices: arr(obj({ message: obj({ role: str, content: str }), finish_reason: str })), usage: obj({ prompt_tokens: num, completion_tokens: num }), baobab: ref('Baobab') }),
        Baobab: obj({ expert: { oneOf: [obj({ name: str, domain: str }), { type: 'null' }] }, abstained: { type: 'boolean' }, scores: arr(obj({ name: str, domain: str, score: num })), experiences: arr(obj({ cid: str, text: str })), threshold: { type: ['number', 'null'] }, reason: str }),
        Route: obj({ question: str, expert: { oneOf: [obj({ name: str, domain: str }), { type: 'null' }] }, abstained: { type: 'boolean' }, forced: { type: 'boolean' }, scores: arr(obj({ name: str, domain: str, score: num })), threshold: { type: ['number', 'null'] }, margin: { type: ['number', 'null'] }, reason: str, topExemplars: arr(obj({ expert: str, q: str, score: num })), experiences: arr(obj({ cid: str, text: str })) }),
        Artifact: obj({ cid: str, kind: str, author: str, created: num, domain: { type: ['string', 'null'] }, status: str, title: str, reason: { type: ['string', 'null'] } }),
        Experience: obj({ cid: str, text: str, domain: str, tags: arr(str), confidence: num, score: num })
      }
    }
  }
}
