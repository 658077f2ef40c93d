import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { corsFromEnv } from './config/cors.js';
import { setUpApiDocs } from './docs/api-docs.js';

export interface CreateAppOptions {
  readonly logger?: LogLevel[];
}

/** Builds the reference app as `main.ts` runs it; tests build it the same way. */
export async function createApp({
  logger = ['error', 'warn', 'log'],
}: CreateAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(), {
    // The hub ends open streams cleanly on shutdown; this then drops any socket still open,
    // so close() never waits for a client to leave.
    forceCloseConnections: true,
    // From the first moment of a shutdown, new requests get 503 + `Connection: close`, so a
    // reconnecting EventSource goes to another instance instead of opening a doomed stream.
    return503OnClosing: true,
    cors: corsFromEnv(process.env),
    // A bad configuration rejects here with its own message; main() prints it and exits.
    abortOnError: false,
    logger,
  });
  setUpApiDocs(app);
  return app;
}
