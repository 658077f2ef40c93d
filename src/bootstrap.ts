import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { corsFromEnv } from './config/cors.js';
import { accessLogEnabled, apiDocsEnabled, logFormatFromEnv } from './config/env.js';
import { setUpApiDocs } from './docs/api-docs.js';
import { accessLog } from './http-log/access-log.js';

export interface CreateAppOptions {
  readonly logger?: LogLevel[];
}

/** Builds the reference app as `main.ts` runs it; tests build it the same way. */
export async function createApp({
  logger = ['error', 'warn', 'log'],
}: CreateAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(), {
    // The hub ends open streams on shutdown and waits for their ends (and its REST answers in
    // progress) to reach the socket; this then drops every socket still open, so close() never
    // waits for an idle keep-alive connection to time out.
    forceCloseConnections: true,
    // From the first moment of a shutdown, new requests get 503 + `Connection: close`, so a
    // reconnecting EventSource goes to another instance instead of opening a doomed stream.
    return503OnClosing: true,
    cors: corsFromEnv(process.env),
    // A bad configuration rejects here with its own message; main() prints it and exits.
    abortOnError: false,
    // Nest's own JSON mode: one object per line (level, pid, timestamp, context, message).
    logger: new ConsoleLogger({ json: logFormatFromEnv(process.env) === 'json', logLevels: logger }),
  });
  if (accessLogEnabled(process.env)) {
    // The routes Express serves; the stream has it as the hub's `streamMiddleware` (sse.config.ts).
    app.use(accessLog(logFormatFromEnv(process.env)));
  }
  if (apiDocsEnabled(process.env)) {
    await setUpApiDocs(app);
  }
  return app;
}
