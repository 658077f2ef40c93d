import { freePort } from './helpers/free-port.js';
import { Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  SseAuthenticator,
  SseModule,
  type AuthenticationRequest,
  type ClientPrincipal,
  type SseModuleOptions,
} from 'nestjs-sse-hub';
import jwt from 'jsonwebtoken';
import { request } from './helpers/http.js';
import {
  generateSigningKey,
  JwksServer,
  signWith,
  type SigningKey,
} from './helpers/jwks-server.js';
import { connect } from './helpers/sse-reader.js';
import { waitFor } from './helpers/wait-for.js';

const ENDPOINTS = ['http-server', 'controller'] as const;

/** Everything the app logs, at every level, to check no token ever reaches it. */
class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  private record = (...parts: unknown[]): void => {
    this.lines.push(
      parts
        .map((part) => (part instanceof Error ? `${part.message} ${part.stack}` : String(part)))
        .join(' '),
    );
  };
  log = this.record;
  error = this.record;
  warn = this.record;
  debug = this.record;
  verbose = this.record;
  fatal = this.record;
}

interface Host {
  readonly app: INestApplication;
  readonly url: string;
  readonly logger: RecordingLogger;
}

/** A host app that imports the module with `options`; the stream served as `streamEndpoint` says. */
async function startHost(options: SseModuleOptions): Promise<Host> {
  @Module({ imports: [SseModule.forRoot(options)] })
  class HostModule {}
  const logger = new RecordingLogger();
  const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
  const app = moduleRef.createNestApplication({ logger, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), logger };
}

/** Asks GET /sse with `token`: the status and, unless a stream opened (then closed at once), the body. */
/**
 * How `GET /sse` answered: the status, or `retry <reason>` for a 200 that only carries a retry
 * delay (what the stream answers while the identity provider is unreachable, so an EventSource
 * comes back instead of giving up).
 */
async function streamStatus(
  url: string,
  token: string,
): Promise<{ status: number | `retry ${string}`; body: string; retryAfter: string | null }> {
  const controller = new AbortController();
  const answer = await fetch(`${url}/sse`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const reason = answer.headers.get('x-sse-retry-reason');
  if (answer.status === 200 && reason === null) {
    controller.abort();
    return { status: 200, body: '', retryAfter: null };
  }
  return {
    status: reason === null ? answer.status : `retry ${reason}`,
    body: await answer.text(),
    retryAfter: answer.headers.get('retry-after'),
  };
}

const ISSUER = 'https://idp.example.test/realms/acme';
const AUDIENCE = 'sse-hub';

describe.each(ENDPOINTS)(
  'tokens from an identity provider with a JWKS (stream endpoint %s)',
  (streamEndpoint) => {
    const idp = new JwksServer();
    let rsa: SigningKey;
    let ec: SigningKey;
    let ed: SigningKey;
    let host: Host;

    beforeAll(async () => {
      [rsa, ec, ed] = await Promise.all([
        generateSigningKey('RS256'),
        generateSigningKey('ES256'),
        generateSigningKey('EdDSA'),
      ]);
      idp.keys.push(rsa, ec, ed);
      await idp.start();
      host = await startHost({
        jwksUrl: idp.url,
        jwtIssuer: ISSUER,
        jwtAudience: AUDIENCE,
        // Unknown kids refetch at once here; the default (30 s) keeps made-up kids from hammering the IdP.
        jwksCooldownMs: 0,
        streamEndpoint,
      });
    });
    afterAll(async () => {
      await host.app.close();
      await idp.stop();
    });

    const claims = (sub: string) => ({ sub, iss: ISSUER, aud: AUDIENCE });

    it.each(['RS256', 'ES256', 'EdDSA'] as const)(
      'accepts %s tokens from the key set',
      async (alg) => {
        const key = { RS256: rsa, ES256: ec, EdDSA: ed }[alg];
        const reader = await connect(`${host.url}/sse`, {
          token: await signWith(key, claims(`user-${alg}`)),
        });
        reader.close();
        expect(reader.greeting.clientId).toBe(`user-${alg}`);
      },
    );

    it('accepts a key the provider starts signing with later (new kid), without a restart', async () => {
      const rotated = await generateSigningKey('ES256');
      const token = await signWith(rotated, claims('after-rotation'));
      expect((await streamStatus(host.url, token)).status).toBe(401); // not published yet
      idp.keys.push(rotated);
      const reader = await connect(`${host.url}/sse`, { token });
      reader.close();
      expect(reader.greeting.clientId).toBe('after-rotation');
    });

    const refused: [string, () => Promise<string>][] = [
      [
        'an unknown kid',
        async () => signWith(await generateSigningKey('RS256'), claims('mallory')),
      ],
      [
        'another issuer',
        async () => signWith(rsa, { ...claims('mallory'), iss: 'https://evil.example.test' }),
      ],
      ['another audience', async () => signWith(rsa, { ...claims('mallory'), aud: 'another-api' })],
      [
        'an expired token',
        async () =>
          signWith(rsa, { ...claims('mallory'), exp: Math.floor(Date.now() / 1000) - 60 }),
      ],
      [
        'alg: none',
        async () => {
          const encode = (value: object) =>
            Buffer.from(JSON.stringify(value)).toString('base64url');
          return `${encode({ alg: 'none', kid: rsa.kid })}.${encode(claims('mallory'))}.`;
        },
      ],
      [
        'HS256 signed with the public key as the secret (algorithm confusion)',
        async () =>
          jwt.sign(claims('mallory'), rsa.publicPem, { algorithm: 'HS256', keyid: rsa.kid }),
      ],
      [
        'a tampered payload',
        async () => {
          const [header, , signature] = (await signWith(rsa, claims('alice'))).split('.');
          const payload = Buffer.from(
            JSON.stringify({ ...claims('admin'), roles: ['publisher'] }),
          ).toString('base64url');
          return `${header}.${payload}.${signature}`;
        },
      ],
    ];

    it.each(refused)(
      'refuses %s with 401, never echoing or logging the token',
      async (_name, makeToken) => {
        const token = await makeToken();
        const stream = await streamStatus(host.url, token);
        const rest = await request(host.url, 'GET', '/sse/subscriptions', { token });
        expect(stream.status).toBe(401);
        expect(rest.status).toBe(401);
        expect(JSON.parse(stream.body)).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: expect.any(String),
        });
        for (const text of [stream.body, rest.text, ...host.logger.lines]) {
          expect(text).not.toContain(token);
          expect(text).not.toContain(token.split('.')[1] || token);
        }
      },
    );

    it('keeps verifying with the keys it holds while the provider is down; a key it never saw is 503, not 401', async () => {
      await idp.stop();
      try {
        const known = await streamStatus(host.url, await signWith(ec, claims('while-down')));
        expect(known.status).toBe(200);
        const unseen = await streamStatus(
          host.url,
          await signWith(await generateSigningKey('RS256'), claims('while-down')),
        );
        expect(unseen.status).toBe('retry identity_provider_unavailable');
        expect(unseen.retryAfter).toMatch(/^\d+$/);
        expect(unseen.body).toMatch(/^retry: \d+$/m);
      } finally {
        await idp.start();
      }
    });
  },
);

describe('an identity provider that is down when the hub starts', () => {
  it('answers 503 with Retry-After until its key set can be fetched, then 200, by itself', async () => {
    const idp = new JwksServer();
    const key = await generateSigningKey('RS256');
    idp.keys.push(key);
    const port = await freePort();
    const host = await startHost({ jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` });
    try {
      const token = await signWith(key, { sub: 'patient' });
      const down = await streamStatus(host.url, token);
      expect(down.status).toBe('retry identity_provider_unavailable');
      expect(Number(down.retryAfter)).toBeGreaterThanOrEqual(1);
      const rest = await request(host.url, 'GET', '/sse/subscriptions', { token });
      expect(rest.status).toBe(503);

      await idp.start(port);
      await waitFor(async () => (await streamStatus(host.url, token)).status === 200, {
        timeoutMs: 10_000,
        what: 'the stream to open once the key set is back',
      });
    } finally {
      await host.app.close();
      await idp.stop();
    }
  });
});

describe('claims as identity providers shape them', () => {
  const idp = new JwksServer();
  let key: SigningKey;

  beforeAll(async () => {
    key = await generateSigningKey('RS256');
    idp.keys.push(key);
    await idp.start();
  });
  afterAll(() => idp.stop());

  it('Keycloak: roles in realm_access.roles, its own name for the publisher role', async () => {
    const host = await startHost({
      jwksUrl: idp.url,
      rolesClaim: 'realm_access.roles',
      publisherRole: 'sse-publisher',
    });
    try {
      const keycloak = (roles: string[]) =>
        signWith(key, {
          sub: 'f:3c1e:alice',
          preferred_username: 'alice',
          realm_access: { roles: ['offline_access', ...roles] },
          resource_access: { account: { roles: ['view-profile'] } },
          azp: 'sse-hub',
        });
      const publish = async (token: string) =>
        (
          await request(host.url, 'POST', '/notifications/broadcast', {
            token,
            body: { event: 'x', data: 1 },
          })
        ).status;
      expect(await publish(await keycloak(['sse-publisher']))).toBe(202);
      expect(await publish(await keycloak(['publisher-ish']))).toBe(403);
      const reader = await connect(`${host.url}/sse`, { token: await keycloak([]) });
      reader.close();
      expect(reader.greeting.clientId).toBe('f:3c1e:alice');
    } finally {
      await host.app.close();
    }
  });

  it('Auth0: namespaced claims for roles and topics, a client id claim of its own', async () => {
    const ns = 'https://sse.example.com/';
    const host = await startHost({
      jwksUrl: idp.url,
      clientIdClaim: `${ns}user_id`,
      rolesClaim: `${ns}roles`,
      topicsClaim: `${ns}topics`,
    });
    try {
      const token = await signWith(key, {
        sub: 'auth0|65f0c0ffee',
        [`${ns}user_id`]: 'user-42',
        [`${ns}roles`]: ['publisher'],
        [`${ns}topics`]: ['users/user-42/#'],
      });
      const reader = await connect(`${host.url}/sse?topic=users/user-42/inbox`, { token });
      reader.close();
      expect(reader.greeting.clientId).toBe('user-42');
      const outside = await request(host.url, 'POST', '/sse/subscriptions', {
        token,
        body: { topics: ['users/other/inbox'] },
      });
      expect(outside.status).toBe(403);
      const sent = await request(host.url, 'POST', '/notifications/broadcast', {
        token,
        body: { event: 'x', data: 1 },
      });
      expect(sent.status).toBe(202);
    } finally {
      await host.app.close();
    }
  });
});

describe.each(ENDPOINTS)(
  'a public key given as PEM or JWK (stream endpoint %s)',
  (streamEndpoint) => {
    it.each(['PEM', 'JWK'] as const)(
      'verifies ES256 tokens with the key as %s, and refuses other algorithms',
      async (form) => {
        const key = await generateSigningKey('ES256');
        const host = await startHost({
          jwtPublicKey: form === 'PEM' ? key.publicPem : key.publicJwk,
          streamEndpoint,
        });
        try {
          const reader = await connect(`${host.url}/sse`, {
            token: await signWith(key, { sub: 'pem-user' }),
          });
          reader.close();
          expect(reader.greeting.clientId).toBe('pem-user');
          const confused = jwt.sign({ sub: 'mallory' }, key.publicPem, { algorithm: 'HS256' });
          expect((await streamStatus(host.url, confused)).status).toBe(401);
        } finally {
          await host.app.close();
        }
      },
    );
  },
);

/** A host's own authenticator: opaque session ids in a cookie, looked up in its store. */
class SessionCookieAuthenticator extends SseAuthenticator {
  constructor(private readonly sessions: Map<string, ClientPrincipal>) {
    super();
  }

  async authenticate({ headers }: AuthenticationRequest): Promise<ClientPrincipal | undefined> {
    const session = /(?:^|;\s*)session=([^;]+)/.exec(headers.cookie ?? '')?.[1];
    return session === undefined ? undefined : this.sessions.get(session);
  }
}

describe.each(ENDPOINTS)('a custom authenticator (stream endpoint %s)', (streamEndpoint) => {
  let host: Host;
  const sessions = new Map<string, ClientPrincipal>([
    ['s-alice', { clientId: 'alice' as ClientPrincipal['clientId'], roles: [] }],
    ['s-pub', { clientId: 'pub' as ClientPrincipal['clientId'], roles: ['publisher'] }],
  ]);

  beforeAll(async () => {
    host = await startHost({
      authenticator: new SessionCookieAuthenticator(sessions),
      streamEndpoint,
    });
  });
  afterAll(() => host.app.close());

  it('decides who the stream, the subscription routes and the publish routes belong to', async () => {
    const reader = await connect(`${host.url}/sse?topic=news`, {
      headers: { cookie: 'session=s-alice' },
    });
    try {
      expect(reader.greeting.clientId).toBe('alice');
      const mine = await request(host.url, 'GET', '/sse/subscriptions', {
        headers: { cookie: 'session=s-alice' },
      });
      expect(mine.body).toEqual({ topics: ['news'] });
      const asAlice = await request(host.url, 'POST', '/notifications/topics/news', {
        headers: { cookie: 'session=s-alice' },
        body: { event: 'x', data: 1 },
      });
      expect(asAlice.status).toBe(403);
      const sent = await request(host.url, 'POST', '/notifications/topics/news', {
        headers: { cookie: 'session=s-pub' },
        body: { event: 'flash', data: 1 },
      });
      expect(sent.status).toBe(202);
      await reader.waitForEvents('flash', 1);
    } finally {
      reader.close();
    }
  });

  it('answers 401 on every route when it finds no one, JWTs included', async () => {
    const stream = await request(host.url, 'GET', '/sse', {
      headers: { cookie: 'session=unknown' },
    });
    expect(stream.status).toBe(401);
    const hs256 = jwt.sign({ sub: 'alice' }, 'any-secret');
    expect((await streamStatus(host.url, hs256)).status).toBe(401);
    expect((await request(host.url, 'GET', '/sse/subscriptions', { token: hs256 })).status).toBe(
      401,
    );
  });
});
