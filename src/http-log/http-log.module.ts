import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AccessLogMiddleware } from './access-log.middleware.js';

/** The access log (on unless `SSE_ACCESS_LOG=off`), tokens redacted. */
@Module({})
export class HttpLogModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AccessLogMiddleware).forRoutes('*');
  }
}
