import { Module } from '@nestjs/common';
import { DemoPageController } from './demo-page.controller.js';

/** GET /, the playground page. Its live figures come from DemoFeedModule, when that is on. */
@Module({ controllers: [DemoPageController] })
export class DemoModule {}
