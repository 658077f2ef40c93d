import { Module } from '@nestjs/common';
import { ConditionalModule } from '@nestjs/config';
import { demoFeedEnabled } from '../config/env.js';
import { DemoFeedModule } from './demo-feed.module.js';
import { DemoPageController } from './demo-page.controller.js';

/** GET /, the playground page, and the live figures it can subscribe to. */
@Module({
  imports: [ConditionalModule.registerWhen(DemoFeedModule, (env) => demoFeedEnabled(env))],
  controllers: [DemoPageController],
})
export class DemoModule {}
