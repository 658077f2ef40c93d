import type { Provider } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';

/**
 * Token of a JwtService that signs HS256 tokens with `jwtSecret`, for apps that mint their own
 * client tokens (the reference app's dev tokens). Without a `jwtSecret` it has no key and its
 * `sign` throws. The hub verifies tokens through its `SseAuthenticator`, not through this.
 * @publicApi
 */
export const SSE_JWT_SERVICE = Symbol('SseJwtService');

export const sseJwtProvider: Provider = {
  provide: SSE_JWT_SERVICE,
  useFactory: ({ jwtSecret }: ResolvedSseOptions) =>
    new JwtService({
      // A KeyObject, not the string: given a string, jsonwebtoken first tries to read it as a
      // public key and fails, which costs ~400 µs per call instead of ~30 µs.
      secret: jwtSecret === undefined ? undefined : createSecretKey(Buffer.from(jwtSecret, 'utf8')),
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    }),
  inject: [SSE_RESOLVED_OPTIONS],
};
