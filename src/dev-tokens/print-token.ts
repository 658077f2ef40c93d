/**
 * `npm run token -- <sub> [--publisher] [--topics a,b]`: prints a dev token signed with
 * JWT_SECRET (or the development secret), for curl.
 */
import { JwtService } from '@nestjs/jwt';
import { parseArgs } from 'node:util';
import { devTokensEnabled } from '../config/env.js';
import { resolveJwtSecret } from '../config/jwt-secret.js';
import { DEV_TOKEN_TTL_SECONDS, devTokenClaims } from './dev-token-claims.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { publisher: { type: 'boolean', default: false }, topics: { type: 'string' } },
});
const [sub] = positionals;
if (!sub) {
  console.error('usage: npm run token -- <sub> [--publisher] [--topics a,b]');
  process.exit(2);
}
if (!devTokensEnabled(process.env)) {
  console.error('dev tokens are off (NODE_ENV=production, SSE_DEV_TOKENS=off, or JWT_PUBLIC_KEY/JWT_JWKS_URL set)');
  process.exit(1);
}
const jwt = new JwtService({ secret: resolveJwtSecret(process.env, (message) => console.error(message)), signOptions: { algorithm: 'HS256' } });
const claims = devTokenClaims({
  sub,
  roles: values.publisher ? ['publisher'] : undefined,
  topics: values.topics?.split(',').filter(Boolean),
});
console.log(jwt.sign(claims, { expiresIn: DEV_TOKEN_TTL_SECONDS }));
