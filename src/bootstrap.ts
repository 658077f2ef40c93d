import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

export interface CreateAppOptions {
  readonly logger?: LogLevel[];
}

/** Builds the reference app as `main.ts` runs it; tests build it the same way. */
export async function createApp({
  logger = ['error', 'warn', 'log'],
}: CreateAppOptions = {}): Promise<INestApplication> {
  return NestFactory.create(AppModule.forRoot(), {
    // The hub ends open streams cleanly on shutdown; this then drops any socket still open,
    // so close() never waits for a client to leave.
    forceCloseConnections: true,
    // A bad configuration rejects here with its own message; main() prints it and exits.
    abortOnError: false,
    logger,
  });
}
