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
import { SseModule, type SseModuleOptions } from '@app/sse';
import { request } from './helpers/http.js';
import { connect, openSse } from './helpers/sse-reader.js';
import { publisherToken, TEST_SECRET, token } from './helpers/tokens.js';

/** A host's global guard: every request must name a tenant. */
@Injectable()
class TenantGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
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
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error'], forceCloseConnections: true });
  app.setGlobalPrefix('api');
  configure(app);
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

const tenant = { 'x-tenant': 'acme' };

describe("streamEndpoint: 'http-server'", () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startHost({ streamEndpoint: 'http-server' }));
  });
  afterAll(() => app.close());

  it('serves the stream under the global prefix and the module path, and delivers to it', async () => {
    const reader = await connect(`${url}/api/push/sse?topic=jobs`, { token: token({ sub: 'alice' }), headers: tenant });
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
    expect(missing.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'A token is required' });
    const badTopic = await request(url, 'GET', '/api/push/sse?topic=a//b', { token: token({ sub: 'alice' }) });
    expect(badTopic.status).toBe(400);
    expect(badTopic.body).toMatchObject({ statusCode: 400, code: 'TOPIC.INVALID_NAME' });
    const badId = await request(url, 'GET', '/api/push/sse', { token: token({ sub: 'alice' }), headers: { 'last-event-id': 'x' } });
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ code: 'EVENT.INVALID_ID' });
  });

  it("is not seen by the host's global guards, as documented; every other route still is", async () => {
    const reader = await connect(`${url}/api/push/sse`, { token: token({ sub: 'bob' }) });
    reader.close();
    const topics = await request(url, 'GET', '/api/push/sse/subscriptions', { token: token({ sub: 'bob' }) });
    expect(topics.status).toBe(403);
  });

  it('leaves other paths and methods to Nest', async () => {
    const unprefixed = await request(url, 'GET', '/sse', { token: token({ sub: 'carol' }), headers: tenant });
    expect(unprefixed.status).toBe(404);
    const longer = await request(url, 'GET', '/api/push/sse-not', { token: token({ sub: 'carol' }), headers: tenant });
    expect(longer.status).toBe(404);
    const posted = await request(url, 'POST', '/api/push/sse', { token: token({ sub: 'carol' }), headers: tenant, body: {} });
    expect(posted.status).toBe(404);
  });
});

describe("streamEndpoint: 'http-server' behind a proxy", () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startHost({ streamEndpoint: 'http-server', connectRatePerMinute: 2 }, (host) =>
      host.set('trust proxy', 'loopback'),
    ));
  });
  afterAll(() => app.close());

  it("limits attempts per client address as Express's trust proxy sees it (X-Forwarded-For)", async () => {
    const attempt = (address: string) =>
      request(url, 'GET', '/api/push/sse', { headers: { 'x-forwarded-for': address } }).then((r) => r.status);
    // No token: each attempt is counted, then answered 401 without opening a stream.
    expect([await attempt('203.0.113.1'), await attempt('203.0.113.1'), await attempt('203.0.113.1')]).toEqual([
      401, 401, 429,
    ]);
    expect(await attempt('203.0.113.2')).toBe(401);
  });
});

describe("streamEndpoint: 'controller' (the default)", () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startHost({}));
  });
  afterAll(() => app.close());

  it("puts the stream behind the host's global guards like every other route", async () => {
    const refused = await openSse(`${url}/api/push/sse`, { token: token({ sub: 'dave' }) });
    refused.close();
    expect(refused.status).toBe(403);
    const reader = await connect(`${url}/api/push/sse`, { token: token({ sub: 'dave' }), headers: tenant });
    try {
      expect(reader.greeting.clientId).toBe('dave');
    } finally {
      reader.close();
    }
  });
});
