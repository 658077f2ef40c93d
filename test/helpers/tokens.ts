import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const TEST_SECRET = 'e2e-test-secret';

export interface Claims {
  sub?: string;
  roles?: string[];
  topics?: string[];
  [claim: string]: unknown;
}

/** A valid HS256 token, signed with the test app's secret. */
export function token(claims: Claims, options: jwt.SignOptions = {}): string {
  return jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', expiresIn: '1h', ...options });
}

export const publisherToken = (sub = 'publisher-1'): string => token({ sub, roles: ['publisher'] });

export const signedWithWrongKey = (sub: string): string =>
  jwt.sign({ sub }, 'not-the-secret', { algorithm: 'HS256' });

export const expired = (sub: string): string =>
  jwt.sign({ sub, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_SECRET, { algorithm: 'HS256' });

/** `alg: none`: no signature at all. */
export function unsigned(sub: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub })}.`;
}

/** The right secret, the wrong algorithm (HS512). */
export const wrongAlgorithm = (sub: string): string =>
  jwt.sign({ sub }, TEST_SECRET, { algorithm: 'HS512' });

/** An RS256 token: a classic algorithm-confusion attempt. */
export function rs256(sub: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return jwt.sign({ sub }, privateKey, { algorithm: 'RS256' });
}

export const withoutSub = (): string => jwt.sign({ roles: ['publisher'] }, TEST_SECRET);
