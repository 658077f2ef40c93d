import { createTestApp, type TestApp } from './helpers/app.factory.js';

/** Every route of docs/protocol.md and of the reference app, as OpenAPI writes it. */
const CONTRACT_ROUTES = [
  'GET /',
  'GET /sse',
  'GET /sse/subscriptions',
  'POST /sse/subscriptions',
  'DELETE /sse/subscriptions',
  'POST /notifications/clients/{clientId}',
  'POST /notifications/topics/{topic}',
  'POST /notifications/broadcast',
  'POST /notifications/batch',
  'GET /history/topics/{topic}',
  'POST /clients/{clientId}/disconnect',
  'GET /presence/clients/{clientId}',
  'GET /presence/topics/{topic}',
  'POST /auth/dev-token',
  'GET /health',
  'GET /metrics',
];

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      { security?: unknown[]; requestBody?: unknown; responses: Record<string, unknown> }
    >
  >;
  components: {
    schemas: Record<
      string,
      { properties: Record<string, Record<string, unknown>>; required?: string[] }
    >;
  };
}

describe('OpenAPI docs at /docs', () => {
  let hub: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    hub = await createTestApp();
    const response = await fetch(`${hub.url}/docs-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });
  afterAll(() => hub.close());

  it('serves the Swagger UI', async () => {
    const response = await fetch(`${hub.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('lists every route of the contract, and nothing it does not know', () => {
    const listed = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual([...CONTRACT_ROUTES].sort());
  });

  it('marks the token-protected routes, and only those, as needing a JWT', () => {
    const open = new Set(['GET /', 'POST /auth/dev-token', 'GET /health', 'GET /metrics']);
    for (const route of CONTRACT_ROUTES) {
      const [method, path] = route.split(' ');
      const security = document.paths[path][method.toLowerCase()].security;
      if (open.has(route)) {
        expect(security).toBeUndefined();
      } else {
        expect(security).toEqual([{ bearer: [] }, { 'token-query': [] }, { 'token-cookie': [] }]);
      }
    }
  });

  it('describes request bodies from the class-validator DTOs that check them', () => {
    const { PublishEventDto, TopicsDto, DevTokenRequestDto } = document.components.schemas;
    expect(PublishEventDto.required).toEqual(['event', 'data']);
    expect(PublishEventDto.properties.event).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 64,
    });
    expect(TopicsDto.properties.topics).toMatchObject({ type: 'array', minItems: 1 });
    expect(DevTokenRequestDto.required).toEqual(['sub']);
    expect(DevTokenRequestDto.properties.roles).toMatchObject({ type: 'array', maxItems: 16 });
    expect(document.paths['/notifications/broadcast'].post.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/PublishEventDto' } } },
    });
    expect(Object.keys(document.paths['/notifications/broadcast'].post.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '413']),
    );
  });

  it('documents the batch route: its body, and one receipt or error per publication', () => {
    const batch = document.paths['/notifications/batch'].post as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(
      batch.requestBody.content['application/json'].schema.properties.publications,
    ).toMatchObject({
      type: 'array',
      minItems: 1,
    });
    expect(Object.keys(batch.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403']),
    );
    expect(batch.security).toBeDefined();
  });
});

describe('API docs setting (SSE_API_DOCS)', () => {
  const docsStatus = async (env: Record<string, string>) => {
    const hub = await createTestApp({ env });
    try {
      return [
        (await fetch(`${hub.url}/docs`)).status,
        (await fetch(`${hub.url}/docs-json`)).status,
      ];
    } finally {
      await hub.close();
    }
  };

  it('serves no docs in production by default: a map of every route and body is not for anyone', async () => {
    expect(await docsStatus({ NODE_ENV: 'production' })).toEqual([404, 404]);
  });

  it('serves them in production with SSE_API_DOCS=on, and not in development with SSE_API_DOCS=off', async () => {
    expect(await docsStatus({ NODE_ENV: 'production', SSE_API_DOCS: 'on' })).toEqual([200, 200]);
    expect(await docsStatus({ SSE_API_DOCS: 'off' })).toEqual([404, 404]);
  });
});
