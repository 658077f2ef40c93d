import { Module } from '@nestjs/common';
import { AccessLog } from './access-log.listener.js';

/** The access log (on unless `SSE_ACCESS_LOG=off`), tokens redacted. */
@Module({ providers: [AccessLog] })
export class HttpLogModule {}
