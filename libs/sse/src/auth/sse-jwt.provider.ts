import type { Provider } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { JWT_ALGORITHM } from '../sse.constants.js';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';

/**
 * Token of the JwtService the hub verifies client tokens with, kept apart from the host's own.
 * @publicApi
 */
export const SSE_JWT_SERVICE = Symbol('SseJwtService');

export const sseJwtProvider: Provider = {
  provide: SSE_JWT_SERVICE,
  useFactory: ({ jwtSecret }: ResolvedSseOptions) =>
    new JwtService({
      // A KeyObject, not the string: given a string, jsonwebtoken first tries to read it as a
      // public key and fails, which costs ~400 µs per verify instead of ~30 µs (measured by
      // the benchmark), paid on every stream connection and every publish.
      secret: createSecretKey(Buffer.from(jwtSecret, 'utf8')),
      signOptions: { algorithm: JWT_ALGORITHM },
      verifyOptions: { algorithms: [JWT_ALGORITHM] },
    }),
  inject: [SSE_RESOLVED_OPTIONS],
};
