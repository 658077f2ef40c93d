import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

/** Builds the reference app, configured as `main.ts` runs it; tests build it the same way. */
export async function createApp(): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule, {
    // Open streams would otherwise hold `close()` until every client leaves; the hub ends them
    // cleanly first, and this drops whatever socket is left.
    forceCloseConnections: true,
    logger: ['error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  return app;
}
