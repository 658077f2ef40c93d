import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';

/**
 * CORS from `SSE_CORS_ORIGINS` (comma-separated origins such as `https://app.example.com`): off
 * when unset. Listed origins may send credentials (the `sse_token` cookie, EventSource's
 * `withCredentials`); `*` allows every origin but then without credentials, since reflecting any
 * origin with credentials would let every site act as the signed-in user.
 * @throws Error listing every malformed origin
 */
export function corsFromEnv(env: NodeJS.ProcessEnv): CorsOptions | undefined {
  const origins = (env.SSE_CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  if (origins.length === 0) {
    return undefined;
  }
  const shared: CorsOptions = {
    methods: ['GET', 'POST', 'DELETE'],
    // Last-Event-ID: a fetch-based SSE client resumes with it (EventSource's own is CORS-safe).
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    maxAge: 600,
  };
  if (origins.includes('*')) {
    return { ...shared, origin: '*', credentials: false };
  }
  const malformed = origins.filter((origin) => !isOrigin(origin));
  if (malformed.length > 0) {
    throw new Error(
      `sse-hub: SSE_CORS_ORIGINS takes origins like https://app.example.com (scheme://host[:port], ` +
        `no path); not: ${malformed.join(', ')}`,
    );
  }
  return { ...shared, origin: origins, credentials: true };
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}
