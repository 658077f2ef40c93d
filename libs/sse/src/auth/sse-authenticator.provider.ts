import type { Provider } from '@nestjs/common';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';
import { JwtAuthenticator } from './jwt-authenticator.js';
import { SseAuthenticator } from './sse-authenticator.js';
import { createTokenVerifier } from './token-verifier.js';

/** The host's `authenticator` when given, else the JWT check the options describe. */
export const sseAuthenticatorProvider: Provider = {
  provide: SseAuthenticator,
  useFactory: (options: ResolvedSseOptions): SseAuthenticator =>
    options.authenticator ?? new JwtAuthenticator(createTokenVerifier(options), options, options.maxTokenAgeSeconds),
  inject: [SSE_RESOLVED_OPTIONS],
};
