import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { intFromEnv } from './config/env.js';
import { createApp } from './bootstrap.js';

/**
 * A stuck shutdown must not keep a deploy waiting: exit regardless after this long (under the
 * 10 s a replacement instance is promised, and well under Kubernetes' default 30 s grace).
 */
const SHUTDOWN_DEADLINE_MS = 9_000;
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function main(): Promise<void> {
  const app = await createApp();
  // On a signal: new requests get 503, every stream ends cleanly (EventSources reconnect to
  // another instance), the server closes, adapters disconnect; then the process exits with 0.
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  const port = intFromEnv(process.env, 'PORT') ?? 3000;
  await app.listen(port);
  // The bound address, so PORT=0 (any free port) says which one it got.
  new Logger('SseHub').log(`sse-hub listening on ${(await app.getUrl()).replace('[::1]', 'localhost')}`);
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref());
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
