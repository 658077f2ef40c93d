import jwt from 'jsonwebtoken';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { TEST_SECRET } from './helpers/tokens.js';

const now = (): number => Math.floor(Date.now() / 1000);
/** A token with exactly these claims (jsonwebtoken adds no iat when one is given, and no exp). */
const signed = (claims: Record<string, unknown>): string =>
  jwt.sign({ iat: now(), ...claims }, TEST_SECRET, { algorithm: 'HS256' });
const noIat = (claims: Record<string, unknown>): string =>
  jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', noTimestamp: true });

/** What GET /sse/subscriptions answers with `token` (the same check as the stream's). */
const statusWith = async (hub: TestApp, token: string): Promise<number> =>
  (await request(hub.url, 'GET', '/sse/subscriptions', { token })).status;

describe('token lifetime (JWT_REQUIRE_EXP, JWT_MAX_TOKEN_AGE_SECONDS, iat in the future)', () => {
  let strict: TestApp;
  let lenient: TestApp;

  beforeAll(async () => {
    strict = await createTestApp({
      env: { JWT_REQUIRE_EXP: 'on', JWT_MAX_TOKEN_AGE_SECONDS: '3600' },
    });
    lenient = await createTestApp({ env: { JWT_CLOCK_TOLERANCE_SECONDS: '120' } });
  });
  afterAll(async () => {
    await strict.close();
    await lenient.close();
  });

  it('refuses a token without exp when exp is required, and takes one with it', async () => {
    expect(await statusWith(strict, signed({ sub: 'forever' }))).toBe(401);
    expect(await statusWith(strict, signed({ sub: 'bounded', exp: now() + 60 }))).toBe(200);
    // Off (the default outside production): a token without exp is still taken.
    expect(await statusWith(lenient, signed({ sub: 'forever' }))).toBe(200);
  });

  it('refuses a token older than the cap whatever its exp, and one without iat', async () => {
    expect(
      await statusWith(strict, signed({ sub: 'old', iat: now() - 7_200, exp: now() + 86_400 })),
    ).toBe(401);
    expect(
      await statusWith(strict, signed({ sub: 'recent', iat: now() - 600, exp: now() + 86_400 })),
    ).toBe(200);
    expect(await statusWith(strict, noIat({ sub: 'ageless', exp: now() + 60 }))).toBe(401);
  });

  it('refuses an iat further in the future than the clock tolerance', async () => {
    // Tolerance 0 (the default): a minute ahead is refused, even with no age cap.
    const ahead = signed({ sub: 'from-the-future', iat: now() + 60, exp: now() + 3_600 });
    expect(await statusWith(strict, ahead)).toBe(401);
    const createdWithout = await createTestApp();
    try {
      expect(await statusWith(createdWithout, ahead)).toBe(401);
    } finally {
      await createdWithout.close();
    }
    // With 120 s of tolerance, a minute ahead is a clock difference; ten minutes is not.
    expect(await statusWith(lenient, ahead)).toBe(200);
    expect(
      await statusWith(
        lenient,
        signed({ sub: 'far-future', iat: now() + 600, exp: now() + 3_600 }),
      ),
    ).toBe(401);
  });
});
