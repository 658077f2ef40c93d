/**
 * An app built the way an outside consumer builds one, on the module's defaults: one
 * `SseModule.forRoot({ jwtSecret })` import in a plain Nest app, no reference-app plumbing.
 * `npm run bench` measures it next to the baselines (target `consumer`), so docs/benchmarks.md can
 * say what an installing user gets.
 *
 * The only options set besides the secret are the two abuse limits, which the harness would trip:
 * every connection comes from 127.0.0.1 (600 attempts per address per minute) and every publish
 * from one publisher (1000 per second). They cost a map lookup per request, nothing per open stream.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SseModule } from '../../libs/sse/src/index.js';
import { InProcessSendsController } from './in-process-sends.controller.js';

@Module({
  imports: [
    SseModule.forRoot({
      jwtSecret: process.env.JWT_SECRET ?? '',
      connectRatePerMinute: 0,
      publishRatePerSecond: 0,
    }),
  ],
  // Bench only: the in-process sends scenario (sendToClient from the app's own code).
  controllers: [InProcessSendsController],
})
class ConsumerAppModule {}

const app = await NestFactory.create(ConsumerAppModule, { logger: ['error', 'warn'] });
// Not SIGUSR2: the heap scenario takes snapshots with it.
app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
