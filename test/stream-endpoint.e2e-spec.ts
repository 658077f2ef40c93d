import {
  Injectable,
  Module,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { SseModule, type SseModuleOptions } from 'nestjs-sse-hub';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request } from './helpers/http.js';
import { connect, openSse } from './helpers/sse-reader.js';
import { publisherToken, TEST_SECRET, token } from './helpers/tokens.js';

/** A host's global guard: every request must name a tenant. */
@Injectable()
class TenantGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { headers } = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>();
    return headers['x-tenant'] !== undefined;
  }
}

/** A host app with a global prefix, the module under `path`, and a global guard of its own. */
async function startHost(
  options: Partial<SseModuleOptions>,
  configure: (app: NestExpressApplication) => void = () => {},
): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [SseModule.forRoot({ jwtSecret: TEST_SECRET, path: 'push', ...options })],
    providers: [{ provide: APP_GUARD, useClass: TenantGuard }],
  })
  class HostModule {}

  const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    logger: ['error'],
    forceCloseConnections: true,
  });
  app.setGlobalPrefix('api');
  configure(app);
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

const tenant = { 'x-tenant': 'acme' };

describe("streamEndpoint: 'http-server' (the default)", () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startHost({}));
  });
  afterAll(() => app.close());

  it('serves the stream under the global prefix and the module path, and delivers to it', async () => {
    const reader = await connect(`${url}/api/push/sse?topic=jobs`, {
      token: token({ sub: 'alice' }),
      headers: tenant,
    });
    try {
      expect(reader.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(reader.greeting.clientId).toBe('alice');
      const sent = await request(url, 'POST', '/api/push/notifications/topics/jobs', {
        token: publisherToken(),
        headers: tenant,
        body: { event: 'job.done', data: { id: 7 } },
      });
      expect(sent.status).toBe(202);
      const [event] = await reader.waitForEvents('job.done', 1);
      expect(event).toEqual({ id: sent.body.id, event: 'job.done', data: '{"id":7}' });
    } finally {
      reader.close();
    }
  });

  it("runs the module's own checks on the stream, with the same JSON answers", async () => {
    const missing = await request(url, 'GET', '/api/push/sse');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'A token is required',
    });
    const badTopic = await request(url, 'GET', '/api/push/sse?topic=a//b', {
      token: token({ sub: 'alice' }),
    });
    expect(badTopic.status).toBe(400);
    expect(badTopic.body).toMatchObject({ statusCode: 400, code: 'TOPIC.INVALID_NAME' });
    const badId = await connect(`${url}/api/push/sse`, {
      token: token({ sub: 'alice' }),
      headers: { 'last-event-id': 'x' },
    });
    badId.close();
    expect(badId.greeting.recovered).toBe(false);
  });

  it("is not seen by the host's global guards, as documented; every other route still is", async () => {
    const reader = await connect(`${url}/api/push/sse`, { token: token({ sub: 'bob' }) });
    reader.close();
    const topics = await request(url, 'GET', '/api/push/sse/subscriptions', {
      token: token({ sub: 'bob' }),
    });
    expect(topics.status).toBe(403);
  });

  it('leaves other paths and methods to Nest', async () => {
    const unprefixed = await request(url, 'GET', '/sse', {
      token: token({ sub: 'carol' }),
      headers: tenant,
    });
    expect(unprefixed.status).toBe(404);
    const longer = await request(url, 'GET', '/api/push/sse-not', {
      token: token({ sub: 'carol' }),
      headers: tenant,
    });
    expect(longer.status).toBe(404);
    const posted = await request(url, 'POST', '/api/push/sse', {
      token: token({ sub: 'carol' }),
      headers: tenant,
      body: {},
    });
    expect(posted.status).toBe(404);
  });
});

describe("streamEndpoint: 'http-server' behind a proxy", () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startHost(
      { streamEndpoint: 'http-server', connectRatePerMinute: 2 },
      (host) => host.set('trust proxy', 'loopback'),
    ));
  });
  afterAll(() => app.close());

  it("limits attempts per client address as Express's trust proxy sees it (X-Forwarded-For)", async () => {
    const attempt = (address: string) =>
      fetch(`${url}/api/push/sse`, { headers: { 'x-forwarded-for': address } }).then(async (r) => {
        await r.text();
        return `${r.status} ${r.headers.get('x-sse-retry-reason') ?? ''}`.trim();
      });
    // No token: each attempt is counted, then answered 401 without opening a stream; past the
    // limit, 200 with only a retry delay.
    expect([
      await attempt('203.0.113.1'),
      await attempt('203.0.113.1'),
      await attempt('203.0.113.1'),
    ]).toEqual(['401', '401', '200 rate_limited']);
    expect(await attempt('203.0.113.2')).toBe('401');
  });
});

describe("streamEndpoint: 'controller' (opt-in)", () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startHost({ streamEndpoint: 'controller' }));
  });
  afterAll(() => app.close());

  it("puts the stream behind the host's global guards like every other route", async () => {
    const refused = await openSse(`${url}/api/push/sse`, { token: token({ sub: 'dave' }) });
    refused.close();
    expect(refused.status).toBe(403);
    const reader = await connect(`${url}/api/push/sse`, {
      token: token({ sub: 'dave' }),
      headers: tenant,
    });
    try {
      expect(reader.greeting.clientId).toBe('dave');
    } finally {
      reader.close();
    }
  });
});

describe("streamEndpoint: 'http-server': what Express middleware would have done", () => {
  let app: INestApplication;
  let url: string;
  const seen: string[] = [];

  beforeAll(async () => {
    ({ app, url } = await startHost({
      streamMiddleware: [
        // An access log, as a host would install it: it sees the URL, then lets the request on.
        (request, _response, next) => {
          seen.push(`${request.method} ${request.url}`);
          next();
        },
        // A middleware that answers some requests itself.
        (request, response, next) => {
          if (request.headers['x-teapot'] !== undefined) {
            response.writeHead(418).end();
          } else {
            response.setHeader('x-host-header', 'on');
            next();
          }
        },
      ],
    }));
  });
  afterAll(() => app.close());

  it("runs the host's streamMiddleware on the stream, in order, before the module's own checks", async () => {
    const reader = await connect(`${url}/api/push/sse?topic=a`, { token: token({ sub: 'erin' }) });
    try {
      expect(reader.headers.get('x-host-header')).toBe('on');
    } finally {
      reader.close();
    }
    const refused = await request(url, 'GET', '/api/push/sse');
    expect(refused.status).toBe(401);
    expect(seen).toEqual(['GET /api/push/sse?topic=a', 'GET /api/push/sse']);
  });

  it('lets a middleware answer the request itself; no stream opens', async () => {
    const answered = await request(url, 'GET', '/api/push/sse', {
      token: token({ sub: 'erin' }),
      headers: { 'x-teapot': '1' },
    });
    expect(answered.status).toBe(418);
  });
});

describe("streamEndpoint: 'http-server' in an app that calls enableCors()", () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startHost({}, (host) =>
      host.enableCors({ origin: 'https://app.example.com', credentials: true }),
    ));
  });
  afterAll(() => app.close());

  it("answers the stream with the app's own CORS headers, with no cors option given to the module", async () => {
    const origin = { origin: 'https://app.example.com' };
    const reader = await connect(`${url}/api/push/sse`, {
      token: token({ sub: 'ivy' }),
      headers: { ...tenant, ...origin },
    });
    try {
      expect(reader.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(reader.headers.get('access-control-allow-credentials')).toBe('true');
    } finally {
      reader.close();
    }
    // The same headers as a route Express serves.
    const rest = await fetch(`${url}/api/push/sse/subscriptions`, {
      headers: { authorization: `Bearer ${token({ sub: 'ivy' })}`, ...tenant, ...origin },
    });
    expect(rest.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });
});

describe("streamEndpoint: 'http-server': shutdown", () => {
  /** Opens a stream with node:http, so a clean end and a cut connection can be told apart. */
  function openRaw(
    url: string,
    bearer: string,
  ): Promise<{ response: IncomingMessage; finished: Promise<'end' | 'aborted'> }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        { headers: { authorization: `Bearer ${bearer}` } },
        (response) => {
          const finished = new Promise<'end' | 'aborted'>((done) => {
            response.resume();
            response.once('end', () => done('end'));
            response.once('aborted', () => done('aborted'));
            response.once('error', () => done('aborted'));
          });
          resolve({ response, finished });
        },
      );
      req.once('error', reject);
      req.end();
    });
  }

  it('ends open streams cleanly on app.close(), even with forceCloseConnections', async () => {
    const { app, url } = await startHost({});
    const streams = await Promise.all(
      ['fay', 'gus', 'hal'].map((sub) => openRaw(`${url}/api/push/sse`, token({ sub }))),
    );
    expect(streams.map((s) => s.response.statusCode)).toEqual([200, 200, 200]);
    await app.close();
    // Finished by the server (chunked body terminated), not cut: an EventSource reconnects.
    await expect(Promise.all(streams.map((s) => s.finished))).resolves.toEqual([
      'end',
      'end',
      'end',
    ]);
  });
});
