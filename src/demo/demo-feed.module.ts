import { Module } from '@nestjs/common';
import { demoFeedIntervalMs } from '../config/env.js';
import { DEMO_FEED_INTERVAL_MS, DemoFeedService } from './demo-feed.service.js';

/** The live figures on `demo/metrics` (on by default outside production; `SSE_DEMO_FEED=off`). */
@Module({
  providers: [
    DemoFeedService,
    { provide: DEMO_FEED_INTERVAL_MS, useFactory: () => demoFeedIntervalMs(process.env) },
  ],
})
export class DemoFeedModule {}
