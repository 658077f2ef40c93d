import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { intFromEnv } from './config/env.js';
import { createApp } from './bootstrap.js';

/** A stuck shutdown must not keep a deploy waiting: exit regardless after this long. */
const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const app = await createApp();
  app.enableShutdownHooks();
  const port = intFromEnv(process.env, 'PORT') ?? 3000;
  await app.listen(port);
  new Logger('SseHub').log(`sse-hub listening on http://localhost:${port}`);
  process.once('SIGTERM', () => setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
