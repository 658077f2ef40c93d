import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { InFlightRequests } from './in-flight-requests.js';
import { InFlightRequestsMiddleware } from './in-flight-requests.middleware.js';

/** Lets the responses that a shutdown ended reach their clients before the sockets close. */
@Module({ providers: [InFlightRequests] })
export class GracefulShutdownModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(InFlightRequestsMiddleware).forRoutes('*');
  }
}
