import { Module } from '@nestjs/common';
import { InFlightRequests } from './in-flight-requests.js';

/** Lets the responses that a shutdown ended reach their clients before the sockets close. */
@Module({ providers: [InFlightRequests] })
export class GracefulShutdownModule {}
