import { EventSource } from 'eventsource';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  ConsumerExitError,
  createConsumerApp,
  packLibrary,
  startConsumerApp,
  type ConsumerKind,
  type RunningConsumer,
} from './helpers/consumer-apps.js';
import { deleteRedisPrefix, SHARED_REDIS_URL, uniqueRedisPrefix } from './helpers/redis.js';
import { publisherToken, TEST_SECRET, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * The package as users get it: `npm run pack`, then apps outside the repository that install
 * the tarball, compile against its .d.ts with `tsc --strict`, and run. One temporary folder per
 * run, one install per app kind. Packing, installing and compiling take nearly all the time
 * (about 1.5 minutes on an idle machine with a warm npm cache, up to 5 on a loaded one); the
 * bound below is generous but finite.
 */
const SETUP_TIMEOUT_MS = 12 * 60_000;

const parent = mkdtempSync(join(tmpdir(), 'sse-hub-consumers-'));
let tarball: string;
const built = new Map<ConsumerKind, Promise<string>>();

/** Installs and compiles an app kind once (the first suite that needs it waits for it). */
function appOf(kind: ConsumerKind): Promise<string> {
  let app = built.get(kind);
  if (!app) {
    app = createConsumerApp(parent, kind, tarball);
    built.set(kind, app);
  }
  return app;
}

beforeAll(async () => {
  tarball = await packLibrary();
  // Every kind installs and compiles at once (mostly waiting on the npm cache and tsc); each
  // suite then waits for its own. A failure is reported by the suite that needs the app.
  for (const kind of ['nest12-esm-memory', 'nest12-esm-redis', 'nest11-cjs'] as const) {
    appOf(kind).catch(() => undefined);
  }
}, SETUP_TIMEOUT_MS);

afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** Events a real EventSource received, by type. */
function listen(
  url: string,
  jwt: string,
  types: string[],
): { source: EventSource; received: Map<string, unknown[]> } {
  const received = new Map<string, unknown[]>(types.map((type) => [type, []]));
  const source = new EventSource(`${url}/sse?token=${jwt}`);
  for (const type of types) {
    source.addEventListener(type, (event) => received.get(type)!.push(JSON.parse(event.data)));
  }
  return { source, received };
}

/** What every consumer must be able to do, whatever its module system, Nest version and broker. */
function behavesAsAHub(kind: ConsumerKind, env: () => Record<string, string>): void {
  let app: RunningConsumer;

  beforeAll(async () => {
    app = await startConsumerApp(await appOf(kind), { JWT_SECRET: TEST_SECRET, ...env() });
  }, SETUP_TIMEOUT_MS);

  afterAll(() => app?.stop());

  it('opens a stream with a JWT, and an injected NotificationService reaches it', async () => {
    const { source, received } = listen(app.url, token({ sub: `${kind}-alice` }), [
      'connected',
      'greeting',
    ]);
    try {
      await waitFor(() => received.get('connected')!.length === 1, {
        what: 'the connected event',
        timeoutMs: 10_000,
      });
      expect(received.get('connected')![0]).toMatchObject({ clientId: `${kind}-alice` });
      await request(app.url).post(`/app/greet/${kind}-alice`).expect(202);
      await waitFor(() => received.get('greeting')!.length === 1, { what: 'the greeting' });
      expect(received.get('greeting')).toEqual([{ hello: `${kind}-alice` }]);
    } finally {
      source.close();
    }
  });

  it('subscribes and publishes over REST', async () => {
    const jwt = token({ sub: `${kind}-bob` });
    const { source, received } = listen(app.url, jwt, ['connected', 'job.done']);
    try {
      await waitFor(() => received.get('connected')!.length === 1, {
        what: 'the connected event',
        timeoutMs: 10_000,
      });
      const subscribed = await request(app.url)
        .post('/sse/subscriptions')
        .set('authorization', `Bearer ${jwt}`)
        .send({ topics: ['jobs/eu'] })
        .expect(200);
      expect(subscribed.body).toEqual({ topics: ['jobs/eu'] });
      const published = await request(app.url)
        .post('/notifications/topics/jobs/eu')
        .set('authorization', `Bearer ${publisherToken()}`)
        .send({ event: 'job.done', data: { id: 7 } })
        .expect(202);
      expect(published.body).toMatchObject({ id: expect.any(String), delivered: 1 });
      await waitFor(() => received.get('job.done')!.length === 1, { what: 'the topic event' });
      expect(received.get('job.done')).toEqual([{ id: 7 }]);
    } finally {
      source.close();
    }
  });

  it('refuses a stream without a token with a 401 JSON answer', async () => {
    const response = await request(app.url).get('/sse').expect(401);
    expect(response.body).toMatchObject({ statusCode: 401 });
  });
}

describe('an app installing nestjs-sse-hub: Nest 12, ES modules, only the required peers (memory broker)', () => {
  behavesAsAHub('nest12-esm-memory', () => ({}));

  it('has none of the optional peers installed', async () => {
    const dir = await appOf('nest12-esm-memory');
    for (const name of [
      'ioredis',
      'pg',
      'prom-client',
      '@nestjs/terminus',
      '@nestjs/swagger',
      '@nestjs/event-emitter',
    ]) {
      expect([name, existsSync(join(dir, 'node_modules', name))]).toEqual([name, false]);
    }
  });

  it("fails to start with broker 'redis', naming the missing package", async () => {
    const dir = await appOf('nest12-esm-memory');
    const failure = await startConsumerApp(dir, {
      JWT_SECRET: TEST_SECRET,
      SSE_BROKER: 'redis',
    }).then(
      async (app) => {
        await app.stop();
        throw new Error('the app started without ioredis');
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConsumerExitError);
    expect((failure as ConsumerExitError).output).toContain('SseMissingPeerError');
    expect((failure as ConsumerExitError).output).toContain(
      'broker: \'redis\' needs the package "ioredis"',
    );
  });

  it("fails to start with broker 'postgres', naming the missing package", async () => {
    const dir = await appOf('nest12-esm-memory');
    const failure = await startConsumerApp(dir, {
      JWT_SECRET: TEST_SECRET,
      SSE_BROKER: 'postgres',
    }).then(
      async (app) => {
        await app.stop();
        throw new Error('the app started without pg');
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConsumerExitError);
    expect((failure as ConsumerExitError).output).toContain('SseMissingPeerError');
    expect((failure as ConsumerExitError).output).toContain('broker: \'postgres\' needs the package "pg"');
  });
});

describe("an app installing nestjs-sse-hub: Nest 12, ES modules, broker 'redis' and every optional peer", () => {
  const prefix = uniqueRedisPrefix('consumer');
  afterAll(() => deleteRedisPrefix(prefix));
  const env = () => ({
    SSE_BROKER: 'redis',
    REDIS_URL: SHARED_REDIS_URL,
    SSE_REDIS_PREFIX: prefix,
  });
  behavesAsAHub('nest12-esm-redis', env);

  describe('its optional features', () => {
    let app: RunningConsumer;
    beforeAll(async () => {
      app = await startConsumerApp(await appOf('nest12-esm-redis'), {
        JWT_SECRET: TEST_SECRET,
        ...env(),
      });
    }, SETUP_TIMEOUT_MS);
    afterAll(() => app?.stop());

    it('reports the Redis broker through a terminus health route, counts streams in Prometheus metrics, emits lifecycle events, and documents its routes', async () => {
      const health = await request(app.url).get('/ops/health').expect(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        info: { broker: { status: 'up', broker: 'redis' } },
      });

      const { source, received } = listen(app.url, token({ sub: 'features-carol' }), ['connected']);
      try {
        await waitFor(() => received.get('connected')!.length === 1, {
          what: 'the connected event',
          timeoutMs: 10_000,
        });
        const metrics = await request(app.url).get('/ops/metrics').expect(200);
        expect(metrics.text).toMatch(/^sse_connections_open 1$/m);
        const opened = await request(app.url).get('/ops/opened').expect(200);
        expect(opened.body).toEqual(['features-carol']);
      } finally {
        source.close();
      }

      const docs = await request(app.url).get('/docs-json').expect(200);
      expect(Object.keys(docs.body.paths)).toEqual(
        expect.arrayContaining(['/sse', '/sse/subscriptions', '/notifications/broadcast']),
      );
    });
  });
});

describe('an app installing nestjs-sse-hub: Nest 11, CommonJS (require() of the ES-module package)', () => {
  behavesAsAHub('nest11-cjs', () => ({}));
});
